"""The phone desk: one page that finds, reads out, collects and logs, plus the gap report.

Search terms only ever arrive by POST, so they never appear in a URL or an access log, and
they are stored only as anonymous daily counts (actions.search_term_count).
"""

import io
from dataclasses import asdict

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from services import access, text
from services.models import Municipality

from . import actions, cards, lookup, reports, terms
from .caller import CallerContext
from .forms import CallContextForm, FinishCallForm, GapReportForm, SummaryEmailForm
from .models import AgeBand, Call, Outcome, SearchTermCount
from .permissions import can_see_report, desk_required, report_required

PAGE = "phonedesk/desk.html"


def _is_fragment(request):
    """True for htmx requests that swap part of the page (not a history restore)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _render(request, template, context, status=200):
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _call(caller):
    """The caller and the seconds since the call started, for the call timer."""
    started = caller.started_at
    seconds = None
    if started is not None:
        seconds = max(0, int((timezone.now() - started).total_seconds()))
    return {
        "caller": caller,
        "call_seconds": seconds,
        "call_minutes": (seconds or 0) // 60,
    }


def _limit(request):
    """How many results to show: the desk's ten, or more when staff asked for them."""
    asked = _post_int(request, "limit") or lookup.RESULT_LIMIT
    return min(max(asked, lookup.RESULT_LIMIT), lookup.MAX_RESULT_LIMIT)


def _results(caller, query, limit):
    found = lookup.find(caller, query, limit=limit)
    return {
        "results": cards.render(found, caller),
        "more": found.more,
        "next_limit": limit + lookup.RESULT_LIMIT,
        "searched": lookup.is_searchable(query),
    }


def _page(
    request,
    caller,
    *,
    form=None,
    query="",
    searched=False,
    limit=lookup.RESULT_LIMIT,
    panel=None,
    status=200,
    **extra,
):
    context = {
        "form": form or CallContextForm.for_context(caller),
        **_call(caller),
        **(_results(caller, query, limit) if searched else {"results": [], "searched": False}),
        "picked": lookup.picked_services(caller),
        "panel": panel,
        "on_desk": True,
        "can_see_report": can_see_report(request.user),
        **extra,
    }
    return _render(request, PAGE, context, status=status)


def _search_form(request, caller):
    """Bind the posted search and context, take over the valid context into the session."""
    form = CallContextForm(request.POST, initial=CallContextForm.for_context(caller).initial)
    before = asdict(caller)
    caller.update(form.valid_data())
    caller.start()
    if asdict(caller) != before:
        caller.save(request.session)
    return form, form.cleaned_data.get("q", "")


def _count_search(request, caller, query):
    term = terms.keepable_term(query)
    if term is None:
        return
    actions.search_term_count(
        query=query,
        found=lookup.has_results(caller, query),
        municipality=caller.municipality_id,
        first_in_call=caller.note_search(term),
    )
    caller.save(request.session)


@never_cache
@require_GET
@desk_required
def desk(request):
    return _page(request, CallerContext.load(request.session))


@never_cache
@sensitive_post_parameters("q")
@require_POST
@desk_required
def search(request):
    caller = CallerContext.load(request.session)
    form, query = _search_form(request, caller)
    limit = _limit(request)
    if not _is_fragment(request):
        # Without JavaScript every search is a deliberate one: count it ("more" is not a new one).
        if limit == lookup.RESULT_LIMIT:
            _count_search(request, caller, query)
        return _page(request, caller, form=form, query=query, searched=True, limit=limit)
    context = {**_call(caller), "form": form, **_results(caller, query, limit)}
    return _render(request, f"{PAGE}#search_response", context)


@never_cache
@sensitive_post_parameters("q")
@require_POST
@desk_required
def note_search(request):
    """Count a search term once the staff member has settled on it (sent by phonedesk.js)."""
    caller = CallerContext.load(request.session)
    _count_search(request, caller, CallContextForm(request.POST).valid_data().get("q", ""))
    return HttpResponse(status=204)


@never_cache
@require_GET
@desk_required
def service_panel(request, pk):
    caller = CallerContext.load(request.session)
    service = lookup.get_service(caller, pk)
    if service is None:
        raise Http404
    item = lookup.readout(service, caller)
    if _is_fragment(request):
        return _render(request, f"{PAGE}#service_panel", {"item": item, "caller": caller})
    return _page(request, caller, panel="service", item=item)


def _post_int(request, name):
    return text.ascii_int(request.POST.get(name, ""))


@never_cache
@sensitive_post_parameters("q")
@require_POST
@desk_required
def pick(request):
    caller = CallerContext.load(request.session)
    form = query = None
    if "q" in request.POST:
        # The whole call form came along (a result's button): take over its context first.
        form, query = _search_form(request, caller)
    pk = _post_int(request, "pick") or _post_int(request, "unpick")
    service = lookup.get_service(caller, pk) if pk else None
    if service is None:
        raise Http404
    if "pick" in request.POST:
        caller.pick(service.pk)
    else:
        caller.unpick(service.pk)
    caller.start()
    caller.save(request.session)
    if _is_fragment(request):
        context = {
            **_call(caller),
            "picked": lookup.picked_services(caller),
            "item": lookup.readout(service, caller),
        }
        return _render(request, f"{PAGE}#pick_response", context)
    if form is not None:
        # Without JavaScript, show the same results again.
        return _page(request, caller, form=form, query=query, searched=True)
    if request.POST.get("from") == "panel":
        return redirect("phonedesk:service", pk=service.pk)
    return redirect("phonedesk:desk")


@require_POST
@desk_required
def new_call(request):
    CallerContext.clear(request.session)
    # "Nieuw gesprek" is pressed when the phone rings: the call timer starts now.
    caller = CallerContext.fresh()
    caller.start()
    caller.save(request.session)
    messages.success(request, _("Nieuw gesprek. De gegevens van het vorige gesprek zijn gewist."))
    return redirect("phonedesk:desk")


def _finish_form(caller, data=None):
    picked = lookup.picked_services(caller)
    themes = {theme.pk for service in picked for theme in service.themes.all()}
    initial = {
        "outcome": Outcome.REFERRED if picked else None,
        "services": [service.pk for service in picked],
        "themes": sorted(themes),
        "municipality": caller.municipality_id,
        "age_band": AgeBand.for_age(caller.age),
    }
    services = caller.services().filter(pk__in=caller.picked)
    return FinishCallForm(data, initial=initial, services=services, prefix="finish")


@never_cache
@require_http_methods(["GET", "POST"])
@desk_required
def finish(request):
    caller = CallerContext.load(request.session)
    form = _finish_form(caller, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.call_finish(
            started_at=caller.started_at,
            outcome=data["outcome"],
            municipality=data["municipality"],
            age_band=data["age_band"],
            themes=data["themes"],
            services=data["services"],
        )
        CallerContext.clear(request.session)
        messages.success(
            request, _("Het gesprek is opgeslagen. U kunt een nieuw gesprek beginnen.")
        )
        return redirect("phonedesk:desk")
    status = 400 if form.is_bound else 200
    if _is_fragment(request):
        return _render(
            request, f"{PAGE}#finish_panel", {"finish_form": form, **_call(caller)}, status=status
        )
    return _page(request, caller, panel="finish", finish_form=form, status=status)


@never_cache
@require_GET
@desk_required
def summary(request):
    caller = CallerContext.load(request.session)
    email_form = SummaryEmailForm()
    # Mailing is the usual next step, so the address field has the focus.
    email_form.fields["email"].widget.attrs["autofocus"] = True
    context = {
        **_call(caller),
        "services": lookup.readouts(lookup.picked_services(caller), caller),
        "email_form": email_form,
        "can_see_report": can_see_report(request.user),
    }
    return _render(request, "phonedesk/summary.html", context)


@never_cache
@sensitive_post_parameters("email")
@require_POST
@desk_required
def summary_email(request):
    caller = CallerContext.load(request.session)
    services = lookup.readouts(lookup.picked_services(caller), caller)
    form = SummaryEmailForm(request.POST)
    status = 400
    if form.is_valid() and services:
        try:
            actions.summary_send(to=form.cleaned_data["email"], services=services)
        except actions.MailNotSent as failure:
            if failure.refused:
                form.add_error(
                    "email",
                    _(
                        "De mailserver neemt dit adres niet aan. Controleer het adres samen "
                        "met de beller, of druk de samenvatting af en stuur die per post."
                    ),
                )
            else:
                status = 503
                messages.error(
                    request,
                    _(
                        "De samenvatting kon nu niet worden gemaild: de mailserver is niet "
                        "bereikbaar. Het adres is niet bewaard. Probeer het over een paar "
                        "minuten nog eens, of druk de samenvatting af en stuur die per post."
                    ),
                )
        else:
            messages.success(request, _("De samenvatting is verstuurd. Het adres is niet bewaard."))
            # Back to the call: what is left is finishing it.
            return redirect("phonedesk:desk")
    if not services:
        messages.error(request, _("Er staan nog geen diensten op de lijst."))
    context = {
        **_call(caller),
        "services": services,
        "email_form": form,
        "can_see_report": can_see_report(request.user),
    }
    return _render(request, "phonedesk/summary.html", context, status=status)


def _report(request):
    """The filter form and the scoped calls and search-term rows it selects."""
    visible = access.scope(request.user, "view", Call.objects.all())
    municipalities = Municipality.objects.filter(pk__in=visible.values("municipality"))
    form = GapReportForm(request.GET or None, municipalities=municipalities)
    filters = form.filters()
    terms = access.scope(request.user, "view", SearchTermCount.objects.all())
    return form, filters, *reports.scoped(visible, terms, filters)


@never_cache
@require_GET
@report_required
def gaps(request):
    form, filters, calls, terms = _report(request)
    context = {
        "form": form,
        "filters": filters,
        "totals": reports.totals(calls),
        "tables": reports.gap_tables(calls, terms, filters["period"]),
        "query_string": request.GET.urlencode(),
    }
    return _render(request, "phonedesk/gaps.html", context)


@never_cache
@require_GET
@report_required
def gaps_csv(request, slug):
    _form, filters, calls, terms = _report(request)
    table = next(
        (t for t in reports.gap_tables(calls, terms, filters["period"]) if t.slug == slug), None
    )
    if table is None:
        raise Http404
    stream = io.StringIO()
    reports.write_csv(table, stream)
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{slug}-{filters['start']:%Y%m%d}-{filters['end']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
