"""Public pages behind a campaign's signed link: no login, one provider, its own services.

The link is a bearer token valid for weeks, so it is used once: the first visit (the token
in the query string, which the access log leaves out, or in the path of older e-mails) puts
it into the browser's session and redirects to a URL without it. Every later page, form and
redirect carries no token, so it does not end up in logs, browser history or Referer headers.
The token is still checked on every request, so expiry and tampering are refused as before.
"""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from services import access, actions, links, presentation, snapshots, text
from services.models import Service

from . import provider

PROPOSAL_FIELDS = [
    "name",
    "summary",
    "essence",
    "how_to_apply",
    "conditions",
    "cost_text",
    "wait_time",
    "phone",
    "email",
    "url",
]


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = PROPOSAL_FIELDS


SESSION_KEY = "campaign_token"
TOKEN_PARAMETER = "sleutel"


def _recipient(request, token=None):
    """(recipient, None) for a good link, else (None, an error page)."""
    token = token if token is not None else request.session.get(SESSION_KEY, "")
    try:
        recipient = links.recipient_from_token(token)
    except signing.SignatureExpired:
        return None, render(request, "curation/link_invalid.html", {"expired": True}, status=410)
    if recipient is None:
        return None, render(request, "curation/link_invalid.html", {"expired": False}, status=404)
    return recipient, None


@never_cache
def campaign_enter(request, token):
    """Exchange a link's token for this browser's session, then go on without it in the URL."""
    recipient, error = _recipient(request, token)
    if error:
        return error
    request.session[SESSION_KEY] = token
    return redirect("curation:campaign")


CHECKED_KEY = "campaign_checked"


def _checked(request, recipient, service):
    """The sections of `service` this browser said are right ("klopt") or proposed a change for."""
    return request.session.get(CHECKED_KEY, {}).get(f"{recipient.pk}:{service.pk}", {})


def _mark(request, recipient, service, sections, how):
    """Note sections as handled; when every section is, the service counts as checked."""
    checked = request.session.get(CHECKED_KEY, {})
    key = f"{recipient.pk}:{service.pk}"
    done = dict(checked.get(key, {}))
    for section in sections:
        if how == "proposed" or done.get(section) != "proposed":
            done[section] = how
    checked[key] = done
    request.session[CHECKED_KEY] = checked
    if all(section.key in done for section in provider.SECTIONS):
        if not service.verified_at or service.verified_at < recipient.campaign.created:
            actions.campaign_confirm(recipient=recipient, service=service)
        return True
    return False


def _services_with_record(recipient):
    return (
        recipient.services.select_related("organisation")
        .prefetch_related(
            "target_groups",
            "support_types",
            "themes",
            "languages",
            "municipalities",
            "sessions__location",
            "locations__opening_periods",
        )
        .order_by("name")
    )


@never_cache
def campaign(request):
    """The provider's services, each as the public sees it, in sections with "Klopt" each."""
    if TOKEN_PARAMETER in request.GET:
        return campaign_enter(request, request.GET[TOKEN_PARAMETER][:500])
    recipient, error = _recipient(request)
    if error:
        return error
    services = _services_with_record(recipient)
    if request.method == "POST":
        pk = request.POST.get("service", "")
        if text.ascii_int(pk) is None:
            raise Http404
        service = get_object_or_404(services, pk=pk)
        section = request.POST.get("section", "")
        if section in provider.BY_KEY:
            sections = [section]
            message = gettext("Dank u wel. U hebt aangegeven dat „%(section)s” klopt.") % {
                "section": provider.BY_KEY[section].title
            }
        else:  # "Alles klopt" (and the one button of older pages)
            sections = list(provider.BY_KEY)
            message = ""
        if _mark(request, recipient, service, sections, "ok"):
            message = gettext("Dank u wel. %(name)s staat als gecontroleerd.") % {"name": service}
        messages.success(request, message)
        return redirect(reverse("curation:campaign") + f"#dienst-{service.pk}")
    items = []
    for service in services:
        done = _checked(request, recipient, service)
        items.append(
            {
                "service": service,
                **presentation.detail_context(service),
                "sections": [
                    {"section": section, "state": done.get(section.key, "")}
                    for section in provider.SECTIONS
                ],
                "all_done": all(section.key in done for section in provider.SECTIONS),
            }
        )
    return render(
        request,
        "curation/campaign.html",
        {"recipient": recipient, "items": items, "services": [i["service"] for i in items]},
    )


@never_cache
def campaign_section(request, pk, section):
    """ "Dit klopt niet" for one section: a structured form; it waits in the review queue."""
    recipient, error = _recipient(request)
    if error:
        return error
    if section not in provider.BY_KEY:
        raise Http404
    service = get_object_or_404(recipient.services.all(), pk=pk)
    proposal = provider.SectionProposal(
        provider.BY_KEY[section], service, request.POST if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        if proposal.is_valid():
            data = proposal.proposed()
            if snapshots.changed_keys(proposal.base, data):
                actions.campaign_propose(recipient=recipient, service=service, data=data)
                _mark(request, recipient, service, [section], "proposed")
                messages.success(
                    request,
                    gettext(
                        "Dank u wel. De gemeente bekijkt uw voorstel en laat u weten of het klopt."
                    ),
                )
            else:
                messages.info(request, gettext("U hebt niets veranderd. Er is niets verstuurd."))
            return redirect(reverse("curation:campaign") + f"#dienst-{service.pk}")
        status = 400
    return render(
        request,
        "curation/campaign_section.html",
        {
            "recipient": recipient,
            "service": service,
            "section": proposal.section,
            "parts": proposal.forms,
        },
        status=status,
    )


@never_cache
def campaign_propose(request, pk):
    """A short form to propose a change; it waits in the curators' review queue."""
    recipient, error = _recipient(request)
    if error:
        return error
    service = get_object_or_404(recipient.services.all(), pk=pk)
    # A separate copy: the form writes the proposed values into it, and it is never saved.
    form = ProposalForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        data = snapshots.snapshot(form.instance)
        actions.campaign_propose(recipient=recipient, service=service, data=data)
        messages.success(
            request,
            gettext("Dank u wel. De gemeente bekijkt uw voorstel en laat u weten of het klopt."),
        )
        return redirect("curation:campaign")
    return render(
        request,
        "curation/campaign_propose.html",
        {"recipient": recipient, "service": service, "form": form},
    )


def view_on_site(request, content_type_id, object_id):
    """The admin's "Weergeven op website": only for an object the public can see and this
    user may see in the admin; anything else is a 404, so the link reveals nothing."""
    if not (
        isinstance(content_type_id, int)
        and object_id.isascii()
        and object_id.isdigit()
        and len(object_id) < 19
    ):
        raise Http404
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not hasattr(model, "get_absolute_url"):
        raise Http404
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None or not getattr(obj, "is_public", False):
        raise Http404
    try:
        allowed = access.allows(request.user, "view", obj)
    except ValueError:  # a model the policy has no rule for
        allowed = False
    if not allowed:
        raise Http404
    return redirect(obj.get_absolute_url())
