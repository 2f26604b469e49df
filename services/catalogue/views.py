import hashlib
from urllib import parse

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView, ListView, TemplateView

from services import presentation, signals, text, versions
from services.filters import ServiceFilterSet
from services.models import (
    LIVE_STATUSES,
    Location,
    OpeningPeriod,
    Service,
    TargetGroup,
    Theme,
)
from services.search import search_queryset

from . import calendar, jsonld, selection
from .forms import ErrorReportForm, MunicipalityForm
from .municipality import current_municipality, remember_municipality

REPORTS_PER_HOUR = 5


ROBOTS = """User-agent: *
Disallow: /beheer/
Disallow: /telefoon/
Disallow: /controle/
Disallow: /mijn-lijst/
Disallow: /aanbod/vergelijk/
Disallow: /aanbod/suggesties/
Sitemap: {sitemap}
"""


def robots_txt(request):
    """Search engines: the catalogue yes; staff pages, lists and signed links no."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(ROBOTS.format(sitemap=sitemap), content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico; the icon is a static SVG (resolved per request, so the
    static manifest is only needed when a page is served)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise (load balancers, Docker HEALTHCHECK)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def public_services():
    """What the public sees and finds: published services, and temporarily closed ones
    (shown with a notice and listed after the open ones)."""
    return Service.objects.live()


def clean_params(querydict):
    """A copy of GET with the search text made safe; everything else is validated by the filters."""
    data = querydict.copy()
    if "q" in data:
        data["q"] = " ".join(text.normalise_input(data.get("q", "")).split())
    return data


def safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def rendered_once(items, render, seconds, kept):
    """render(item) for each item of {cache key: item}, in order: taken from this process's
    `kept` (a versions.ProcessLRU), else from the shared cache where an earlier request
    made it, else rendered; kept in both for `seconds`. The keys name everything the
    output is made from (cards per service version, filter groups per content)."""
    found = kept.get_many(items)
    wanted = [key for key in items if key not in found]
    if wanted:
        shared = cache.get_many(wanted)
        made = {key: render(items[key]) for key in wanted if key not in shared}
        if made:
            cache.set_many(made, seconds)
        kept.set_many({**shared, **made})
        found.update(shared)
        found.update(made)
    return [found[key] for key in items]


class CatalogueMixin:
    """What every catalogue page knows: the visitor's municipality and kept lists."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shortlist"] = selection.shortlist(self.request)
        context["compare_list"] = selection.compare_list(self.request)
        context["tray"] = compare_tray(context["compare_list"])
        return context


def compare_tray(chosen):
    """The services being compared, in the order chosen, for the compare tray (one query)."""
    if not chosen.ids:
        return []
    found = public_services().only("name", "slug").in_bulk(chosen.ids)
    return [found[pk] for pk in chosen.ids if pk in found]


class HomeView(CatalogueMixin, TemplateView):
    template_name = "services/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = ServiceFilterSet(
            None,
            queryset=public_services(),
            default_municipality=current_municipality(self.request),
        )
        page_versions = filterset.page_versions()
        facets = {facet.name: facet for facet in filterset.facets()}
        if page_versions:
            versions.cache_page_under(self.request, *page_versions)
        context["theme_facet"] = facets["thema"]
        context["support_facet"] = facets["steun"]
        context["target_facet"] = facets["doelgroep"]
        return context


MAX_VALUES_PER_PARAMETER = 30


class ServiceListView(CatalogueMixin, ListView):
    template_name = "services/service_list.html"
    paginate_by = 20
    page_kwarg = "pagina"

    def get_queryset(self):
        self.filterset = ServiceFilterSet(
            clean_params(self.request.GET),
            queryset=public_services(),
            default_municipality=current_municipality(self.request),
        )
        # The versions first, then the data: a page is never kept under newer versions than
        # the data it shows (sociale_kaart.pagecache).
        self.filterset.versions_key()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # Paginate the cached, ordered ids; fetch only the services of this page.
        paginator = Paginator(self.filterset.ordered_ids(), page_size)
        raw = self.request.GET.get(self.page_kwarg, "1")
        # Negative, huge or non-numeric page numbers fall back to a real page, never an error.
        page = paginator.get_page(raw if str(raw).isdigit() and len(str(raw)) < 7 else 1)
        page.object_list = self.cards(list(page.object_list))
        return paginator, page, page.object_list, page.has_other_pages()

    CARD_SECONDS = 3600
    # About 5,000 cards (1.6 kB each) per process.
    KEPT_CARDS = versions.ProcessLRU(CARD_SECONDS, max_chars=8_000_000)
    CARD_PARTS = ("services/includes/card_head.html", "services/includes/card_facts.html")

    def cards(self, ids):
        """The page's services with `card_parts`: the parts of a card that are the same for
        every visitor and every hour, rendered once per version of the service (its `modified`
        time and its organisation's name: they show nothing else that changes) and kept in the
        cache, so they survive the catalogue's version bumps. The next session (it depends on
        the time) and the buttons (on the visitor) are rendered per request."""
        found = (
            public_services()
            .select_related("organisation")
            .defer(*Service.SEARCH_COLUMNS)
            .prefetch_related("sessions")
            .in_bulk(ids)
        )
        services = [found[pk] for pk in ids if pk in found]
        language = translation.get_language()

        def key(service):
            organisation = hashlib.sha256(service.organisation.name.encode()).hexdigest()[:12]
            return f"card:{language}:{service.pk}:{service.modified.timestamp()}:{organisation}"

        parts = rendered_once(
            {key(service): service for service in services},
            lambda service: [render_to_string(t, {"service": service}) for t in self.CARD_PARTS],
            self.CARD_SECONDS,
            self.KEPT_CARDS,
        )
        for service, (head, facts) in zip(services, parts, strict=True):
            # Our own templates' output, escaped when it was rendered.
            service.card_head, service.card_facts = mark_safe(head), mark_safe(facts)  # noqa: S308
        return services

    FACET_SECONDS = 3600
    KEPT_GROUPS = versions.ProcessLRU(FACET_SECONDS, max_chars=8_000_000)

    def facet_groups(self, facets):
        """Each facet's rendered group, cached by what it shows (its values, counts, choices
        and the language; facet.html uses nothing else): after an edit most groups show the
        same as before and are not rendered again, as cards are not."""
        language = translation.get_language()
        groups = rendered_once(
            {
                "facet-html:" + hashlib.sha256(f"{language}:{facet!r}".encode()).hexdigest(): facet
                for facet in facets
            },
            lambda facet: render_to_string("services/includes/facet.html", {"facet": facet}),
            self.FACET_SECONDS,
            self.KEPT_GROUPS,
        )
        # Our own template's output, escaped when it was rendered.
        return [mark_safe(html) for html in groups]  # noqa: S308

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])
        if self.request.htmx and not self.request.htmx.history_restore_request:
            # The address bar shows the link to share: with the municipality in it.
            response["HX-Push-Url"] = context["share_url"]
        page_versions = self.filterset.page_versions()
        if context.get("total") and page_versions:
            # Not a search without results: the gap report counts each of those.
            versions.cache_page_under(self.request, *page_versions)
        if context.get("query") and context.get("total") == 0:
            signals.search_without_results.send(
                sender=type(self),
                request=self.request,
                response=response,
                query=context["query"],
                municipality=current_municipality(self.request),
            )
        return response

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.history_restore_request:
            return ["services/service_list.html#catalogue"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        facets = filterset.facets()
        when_facet = filterset.when_facet()
        query = filterset.cleaned.get("q") or ""
        total = filterset.total()
        canonical = self.canonical_params().urlencode()
        context.update(
            # "Back to here" links (header, list buttons) repeat only the canonical query.
            canonical_path=reverse("services:list") + (f"?{canonical}" if canonical else ""),
            filterset=filterset,
            facets=facets,
            when_facet=when_facet,
            facet_groups=self.facet_groups([when_facet, *facets]),
            query=query,
            total=total,
            chips=self.chips([when_facet, *facets]),
            ignored=filterset.ignored_values,
            sort_key=filterset.sort_key,
            page_links=self.page_links(context["page_obj"]),
            share_url=self.share_url(context["page_obj"]),
            previous_url=self.page_url(context["page_obj"].number - 1)
            if context["page_obj"].has_previous()
            else None,
            next_url=self.page_url(context["page_obj"].number + 1)
            if context["page_obj"].has_next()
            else None,
            age=filterset.cleaned.get("leeftijd"),
        )
        if query:
            context.update(self.search_notes(filterset))
        if total == 0:
            context["relaxations"] = self.relaxations(filterset)
            context["only_words"] = not filterset.active_names()
            context["suggested_themes"] = (
                Theme.objects.annotate(
                    n=Count("services", filter=Q(services__status__in=LIVE_STATUSES))
                )
                .filter(n__gt=0)
                .order_by("-n", "name")[:6]
            )
        return context

    def canonical_params(self):
        """The query as links repeat it: only parameters the catalogue knows, values capped.

        Unknown parameters are dropped, so a long junk URL cannot be copied into every link
        of the page (a 3.6 KB URL once gave a 313 KB page).
        """
        known = {*self.filterset.filters, self.page_kwarg}
        params = QueryDict(mutable=True)
        facets = {*self.filterset.FACETS, "wanneer"}
        for name in self.request.GET:
            if name in facets:
                # The facet's own reading: old spellings become today's words (kosten=free
                # is linked as kosten=gratis) and values that do not exist are left out.
                chosen = self.filterset.cleaned.get(name) or []
                if chosen:
                    params.setlist(name, chosen[:MAX_VALUES_PER_PARAMETER])
            elif name in known:
                values = self.request.GET.getlist(name)[:MAX_VALUES_PER_PARAMETER]
                params.setlist(name, [value[: text.MAX_QUERY_LENGTH] for value in values])
        query = self.filterset.cleaned.get("q")
        if "q" in params:
            params["q"] = query or ""
        return params

    def shared_params(self):
        """The query as it should be shared: with the visitor's municipality, so the same
        link shows the same results to someone elsewhere."""
        params = self.canonical_params()
        municipality = self.filterset.default_municipality
        if municipality is not None and not params.getlist("gemeente"):
            params.setlist("gemeente", [municipality.slug])
        return params

    def url_without(self, name, value=None):
        params = self.shared_params()
        params.pop("pagina", None)
        if value is None:
            params.pop(name, None)
        else:
            params.setlist(name, [v for v in params.getlist(name) if v != value])
        encoded = params.urlencode()
        return reverse("services:list") + (f"?{encoded}" if encoded else "")

    def share_url(self, page):
        params = self.shared_params()
        if page.number > 1:
            params["pagina"] = page.number
        else:
            params.pop("pagina", None)
        encoded = params.urlencode()
        return reverse("services:list") + (f"?{encoded}" if encoded else "")

    def chips(self, facets):
        chips = []
        query = self.filterset.cleaned.get("q")
        if query:
            chips.append((_("Zoekwoord: %(q)s") % {"q": query}, self.url_without("q")))
        for facet in facets:
            for value in facet.values:
                if value.selected:
                    chips.append(
                        (f"{facet.label}: {value.label}", self.url_without(facet.name, value.value))
                    )
        age = self.filterset.cleaned.get("leeftijd")
        if age is not None:
            chips.append((_("Leeftijd: %(age)s jaar") % {"age": age}, self.url_without("leeftijd")))
        return chips

    def search_notes(self, filterset):
        """What became of the search words: corrections, words that found nothing, words
        that match only some results, and words offered as the filter they name."""
        search = filterset.search
        filterset.matched()  # decides (or reads from the cache) which words counted
        notes = {"search": search}
        if search.corrections:
            params = self.request.GET.copy()
            params.pop("pagina", None)
            params["precies"] = "1"
            notes["corrected_query"] = search.corrected_query
            notes["typed_url"] = f"{reverse('services:list')}?{params.urlencode()}"
        offers = []
        for offer in filterset.filter_offers():
            params = self.request.GET.copy()
            params.pop("pagina", None)
            params.appendlist(offer.name, offer.value)
            offers.append((offer.question, f"{reverse('services:list')}?{params.urlencode()}"))
        notes["filter_offers"] = offers
        return notes

    def relaxations(self, filterset):
        """For each chosen filter: how many results there would be without it."""
        base = public_services()
        options = []
        for name in ["q", *filterset.active_names()]:
            if name == "q" and not filterset.cleaned.get("q"):
                continue
            count = filterset.filter_except(base, {name}).count()
            if count:
                label = _("zoekwoord") if name == "q" else filterset.filters[name].label
                options.append((str(label), count, self.url_without(name)))
        return sorted(options, key=lambda option: -option[1])[:3]

    def page_url(self, number):
        params = self.shared_params()
        params["pagina"] = number
        return f"?{params.urlencode()}"

    def page_links(self, page):
        params = self.shared_params()
        links = []
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if number == page.paginator.ELLIPSIS:
                links.append((None, number))
                continue
            params["pagina"] = number
            links.append((f"?{params.urlencode()}", number))
        return links


class ServiceDetailView(CatalogueMixin, DetailView):
    template_name = "services/service_detail.html"
    context_object_name = "service"

    def get_queryset(self):
        periods = Prefetch(
            "opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens")
        )
        locations = Prefetch(
            "locations",
            queryset=Location.objects.prefetch_related(periods).select_related("municipality"),
        )
        return (
            public_services()
            .with_related()
            .select_related("verified_by")
            .defer(*Service.SEARCH_COLUMNS)  # kept for search only: no page shows them
            .prefetch_related(locations)
        )

    def get(self, request, *args, **kwargs):
        # The page shows the service and related services from the visitor's view, so it is
        # kept (sociale_kaart.pagecache) under the versions of both: those of where the
        # service is offered (versions.service_scopes) and those of the visitor's view. An
        # edit in another municipality leaves it warm. The versions are read before the
        # service; if its place changed in between, the page is not kept.
        place = self.place_of(kwargs.get(self.slug_url_kwarg, ""))
        view_scopes = versions.scopes_for(self.view_municipality_ids())
        scopes = list(dict.fromkeys([*versions.service_scopes(*place), *view_scopes]))
        read = dict(zip(scopes, versions.current(scopes), strict=True))
        self._view_read = (view_scopes, [read[scope] for scope in view_scopes])
        response = super().get(request, *args, **kwargs)
        if self.place_of_object() == place:
            versions.cache_page_under(request, scopes, [read[scope] for scope in scopes])
        return response

    def view_municipality_ids(self):
        municipality = current_municipality(self.request)
        return [municipality.pk] if municipality else []

    def view_read(self):
        """(scopes, versions) of the visitor's view, read once per request (in get(), with
        the service's own)."""
        if not hasattr(self, "_view_read"):
            self._view_read = versions.read(self.view_municipality_ids())
        return self._view_read

    @staticmethod
    def place_of(slug):
        """(national, municipality ids) of the public service with this slug, in one query;
        (False, set()) when there is none (the page is then a 404)."""
        rows = list(public_services().filter(slug=slug).values_list("scope", "municipalities"))
        national = bool(rows) and rows[0][0] == Service.Scope.NATIONAL
        return national, {pk for _scope, pk in rows if pk is not None}

    def place_of_object(self):
        """The same for the service as this page read it (its municipalities are prefetched)."""
        service = self.object
        national = service.scope == Service.Scope.NATIONAL
        return national, {m.pk for m in service.municipalities.all()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service = self.object
        context.update(presentation.detail_context(service))
        context["related"] = self.related(service)
        context["report_form"] = kwargs.get("report_form") or ErrorReportForm()
        context["jsonld"] = jsonld.service_jsonld(service, self.request)
        return context

    RELATED = 4

    def related(self, service):
        """Up to four services that share the most themes (or, without themes, kinds of
        support) with this one: first those offered in the visitor's municipality (help
        nearby), then national ones to fill up. Without a municipality, from all services."""
        relation = "themes" if service.themes.all() else "support_types"
        term_ids = [term.pk for term in getattr(service, relation).all()]
        if not term_ids:
            return []
        municipality = current_municipality(self.request)
        # Ranked on ids only (a narrow grouping), cached per version of the visitor's
        # municipality (and national services) and this service's terms; then the rows
        # themselves. Local first also spares the larger half: at 100k services the
        # ranking over a whole view (2,352 ids) took 10-14 ms, over its 321 local ones
        # about 1 ms, and the national half is read only when fewer than four are local.
        in_view = versions.key_part(self.view_municipality_ids(), self.view_read())
        terms = ",".join(map(str, sorted(term_ids)))
        key = f"catalogue:{in_view}:related:{service.pk}:{relation}:{terms}"
        halves = (
            [Service.local_ids([municipality]), Service.national_ids()] if municipality else [None]
        )

        def rank():
            top = []
            for half in halves:
                if len(top) >= self.RELATED:
                    break
                top += self.ranked(service, relation, term_ids, half, self.RELATED - len(top))
            return top

        top = cache.get_or_set(key, rank, 300)
        # The list shows name, summary and link only: those three columns, not whole rows.
        found = public_services().only("name", "slug", "summary").in_bulk(top)
        return [found[pk] for pk in top if pk in found]

    @staticmethod
    def ranked(service, relation, term_ids, ids, limit):
        """The ids of up to `limit` public services among `ids` (a subquery; None: all)
        sharing any of these terms, most shared first, then by name."""
        through = getattr(Service, relation).through
        column = "theme_id" if relation == "themes" else "supporttype_id"
        sharing = through.objects.filter(**{f"{column}__in": term_ids}).values("service_id")
        candidates = public_services().filter(pk__in=sharing).exclude(pk=service.pk)
        if ids is not None:
            candidates = candidates.filter(pk__in=ids)
        return list(
            candidates.values("pk")
            .annotate(shared=Count(relation, filter=Q(**{f"{relation}__in": term_ids})))
            .order_by("-shared", "name")
            .values_list("pk", flat=True)[:limit]
        )


def service_calendar(request, slug):
    """The sessions of a service as a .ics file."""
    service = get_object_or_404(public_services().prefetch_related("sessions__location"), slug=slug)
    url = request.build_absolute_uri(service.get_absolute_url())
    body = calendar.service_calendar(service, url).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{service.slug[:60]}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def report_error(request, slug):
    service = get_object_or_404(public_services(), slug=slug)
    if request.method == "GET":
        # A reload of the form's address after an error: back to the form, not a 405.
        return HttpResponseRedirect(service.get_absolute_url() + "#meld")
    form = ErrorReportForm(request.POST)
    if form.is_valid():
        if form.is_spam() or not _within_rate_limit(request):
            # Tell a person the same as a success: a bot learns nothing from the answer.
            messages.success(request, _("Dank u wel. Wij kijken naar uw melding."))
            return redirect(service)
        report = form.save(commit=False)
        report.service = service
        report.full_clean()
        report.save()
        messages.success(request, _("Dank u wel. Wij kijken naar uw melding."))
        return redirect(service)
    view = ServiceDetailView(request=request, kwargs={"slug": slug}, object=service)
    view.object = get_object_or_404(view.get_queryset(), slug=slug)
    context = view.get_context_data(report_form=form)
    return render(request, view.template_name, context, status=400)


def _within_rate_limit(request):
    """At most REPORTS_PER_HOUR reports an hour from one address; the address is hashed and
    kept in the cache only, never in the database."""
    address = request.META.get("REMOTE_ADDR", "")
    key = "report-rate:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= REPORTS_PER_HOUR


TOGGLE_MESSAGES = {
    # kind: (message when added, message when removed)
    "shortlist": (_lazy("%(name)s staat op uw lijst."), _lazy("%(name)s is van uw lijst gehaald.")),
    "compare": (_lazy("%(name)s wordt vergeleken."), _lazy("%(name)s wordt niet meer vergeleken.")),
}


def _toggle(request, slug, kind):
    service = get_object_or_404(public_services(), slug=slug)
    chosen = (
        selection.shortlist(request) if kind == "shortlist" else selection.compare_list(request)
    )
    added, error = chosen.toggle(service.pk)
    if request.htmx:
        context = {
            "service": service,
            "kind": kind,
            "chosen": chosen,
            "error": error,
            "canonical_path": safe_next(request, ""),
        }
        from_tray = request.POST.get("bak") == "1"
        # From the tray, the card's own button (if on the page) is swapped out of band.
        button = render_to_string(
            "services/includes/selection_button.html",
            {**context, "announce": True, "added": added, "oob": from_tray},
            request=request,
        )
        if kind == "compare":
            button += render_to_string(
                "services/includes/compare_tray.html",
                {
                    "tray": compare_tray(chosen),
                    "oob": True,
                    "canonical_path": safe_next(request, ""),
                },
                request=request,
            )
        response = HttpResponse(button)
    else:
        if error:
            messages.warning(request, error)
        else:
            message = TOGGLE_MESSAGES[kind][0 if added else 1]
            messages.success(request, message % {"name": service.name})
        response = HttpResponseRedirect(safe_next(request, service.get_absolute_url()))
    return chosen.save(response)


@require_POST
def toggle_shortlist(request, slug):
    return _toggle(request, slug, "shortlist")


@require_POST
def toggle_compare(request, slug):
    return _toggle(request, slug, "compare")


def _services_in_order(ids):
    by_id = public_services().with_related().in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def compare(request):
    shared = "d" in request.GET
    ids = (
        selection.parse_ids(request.GET.get("d"), selection.COMPARE_LIMIT)
        if shared
        else selection.compare_list(request).ids
    )
    by_id = public_services().with_related().prefetch_related("locations").in_bulk(ids)
    services = [by_id[i] for i in ids if i in by_id]
    rows = compare_rows(services)
    only_differences = request.GET.get("verschillen") == "1"
    if only_differences:
        rows = [row for row in rows if row["different"]]
    return render(
        request,
        "services/compare.html",
        {
            "services": services,
            "rows": rows,
            "only_differences": only_differences,
            "shared": shared,
            "share_ids": selection.format_ids([s.pk for s in services]),
            "compare_list": selection.compare_list(request),
        },
    )


def _addresses(service):
    places = [
        ", ".join(p for p in (loc.name, loc.address, loc.place) if p)
        for loc in service.locations.all()
    ]
    return "; ".join(places) or "–"


def _accessibility(service):
    notes = []
    for loc in service.locations.all():
        parts = [str(_("toegankelijk met een rolstoel"))] if loc.wheelchair_accessible else []
        if loc.accessibility:
            parts.append(loc.accessibility)
        if parts:
            notes.append(f"{loc.name}: {', '.join(parts)}")
    return "; ".join(notes) or "–"


def _next_session_text(service):
    found = presentation.next_session(service)
    return found["label"] if found else "–"


def _names(items):
    return ", ".join(str(item) for item in items) or "–"


def compare_rows(services):
    """The structured fields side by side; rows whose values differ are marked."""
    if not services:
        return []
    getters = [
        (_("Aanbieder"), lambda s: s.organisation.name),
        (_("Voor wie"), lambda s: _names(s.target_groups.all())),
        (_("Soort steun"), lambda s: _names(s.support_types.all())),
        (_("Alleen of samen"), lambda s: s.get_format_display()),
        (_("Volgende keer"), _next_session_text),
        (_("Hoe vaak"), lambda s: s.get_frequency_display()),
        (_("Waar"), lambda s: ", ".join(str(label) for label in s.settings_display)),
        (_("Wie helpt"), lambda s: s.get_provided_by_display()),
        (_("Kosten"), presentation.cost_label),
        (_("Leeftijd"), presentation.age_label),
        (_("Verwijzing nodig"), lambda s: _("Ja") if s.referral_required else _("Nee")),
        (_("Alleen bij laag inkomen"), lambda s: _("Ja") if s.low_income_only else _("Nee")),
        (_("Waar te krijgen"), presentation.scope_label),
        (_("Talen"), lambda s: _names(s.languages.all())),
        (_("Telefoon"), lambda s: s.phone or "–"),
        (_("Waar (adres)"), _addresses),
        (_("Toegankelijkheid"), _accessibility),
        (
            _("Zo meldt u zich aan"),
            lambda s: s.how_to_apply or _("Neem contact op met de aanbieder."),
        ),
        (
            _("Laatst gecontroleerd"),
            presentation.verified_short,
        ),
    ]
    rows = []
    for label, getter in getters:
        values = [str(getter(service)) for service in services]
        rows.append(
            {
                "label": label,
                "cells": list(zip([s.name for s in services], values, strict=True)),
                "different": len(set(values)) > 1,
            }
        )
    return rows


def shortlist(request):
    shared = "d" in request.GET
    chosen = selection.shortlist(request)
    ids = (
        selection.parse_ids(request.GET.get("d"), selection.SHORTLIST_LIMIT)
        if shared
        else chosen.ids
    )
    by_id = public_services().with_related().prefetch_related("locations").in_bulk(ids)
    services = [by_id[i] for i in ids if i in by_id]
    share_ids = selection.format_ids([s.pk for s in services])
    share_url = request.build_absolute_uri(
        reverse("services:shortlist") + "?" + urlencode({"d": share_ids})
    )
    lines = [_("Deze hulp en activiteiten kunnen u misschien helpen:"), ""]
    for service in services:
        lines.append(f"- {service.name}: {request.build_absolute_uri(service.get_absolute_url())}")
        if service.phone:
            lines.append("  " + _("Telefoon: %(phone)s") % {"phone": service.phone})
    lines += ["", _("De hele lijst: %(url)s") % {"url": share_url}]
    # Spaces as %20, not +: mail programs do not decode + in mailto links.
    mailto = "mailto:?" + parse.urlencode(
        {"subject": _("Hulp en activiteiten voor u"), "body": "\n".join(lines)},
        quote_via=parse.quote,
    )
    return render(
        request,
        "services/shortlist.html",
        {
            "services": services,
            "shared": shared,
            "share_url": share_url,
            "share_ids": share_ids,
            "mailto": mailto,
            "shortlist": chosen,
        },
    )


@require_POST
def clear_shortlist(request):
    """Empty "Mijn lijst" on this device."""
    chosen = selection.shortlist(request)
    chosen.ids = []
    messages.success(request, _("Uw lijst is leeg."))
    return chosen.save(HttpResponseRedirect(reverse("services:shortlist")))


@require_POST
def remember_shortlist(request):
    """The visitor's choice: keep the lists on this device, or only until the browser closes."""
    remember = request.POST.get("onthouden") == "1"
    chosen = selection.shortlist(request)
    chosen.remember = remember
    messages.success(
        request,
        _("Uw lijst blijft 180 dagen op dit apparaat.")
        if remember
        else _("Uw lijst verdwijnt als u de browser sluit."),
    )
    response = chosen.save(HttpResponseRedirect(reverse("services:shortlist")))
    return selection.remember_choice(response, remember)


@require_POST
def keep_shared_list(request):
    """Copy a shared list onto this device."""
    ids = selection.parse_ids(request.POST.get("d"), selection.SHORTLIST_LIMIT)
    chosen = selection.shortlist(request)
    for service_id in [s.pk for s in _services_in_order(ids)]:
        if service_id not in chosen:
            chosen.toggle(service_id)
    messages.success(request, _("De lijst staat nu ook op dit apparaat."))
    return chosen.save(HttpResponseRedirect(reverse("services:shortlist")))


def choose_municipality(request):
    next_url = safe_next(request, reverse("services:home"))
    if request.method == "POST":
        form = MunicipalityForm(request.POST)
        if form.is_valid():
            municipality = form.cleaned_data["gemeente"]
            messages.success(
                request, _("U ziet nu het aanbod voor %(name)s.") % {"name": municipality.name}
            )
            return remember_municipality(HttpResponseRedirect(next_url), municipality)
    else:
        current = current_municipality(request)
        form = MunicipalityForm(initial={"gemeente": current.slug if current else None})
    return render(
        request,
        "services/municipality.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


def suggestions(request):
    """Autocomplete: services, themes and target groups matching what was typed so far."""
    query = text.normalise_input(request.GET.get("q", ""))
    items = []
    if len(text.words(query)) and len(query.strip()) >= 2:
        municipality = current_municipality(request)
        services = (
            search_queryset(public_services().for_municipality(municipality), query, narrowed=True)
            .order_by("-rank", "name")
            .values_list("name", "slug")[:5]
        )
        items += [
            {
                "label": name,
                "kind": _("Dienst"),
                "url": reverse("services:detail", kwargs={"slug": slug}),
            }
            for name, slug in services
        ]
        words = text.words(query)
        for model, param, kind in (
            (Theme, "thema", _("Thema")),
            (TargetGroup, "doelgroep", _("Doelgroep")),
        ):
            condition = Q()
            for word in words:
                condition &= Q(name__icontains=word)
            for name, slug in model.objects.filter(condition).values_list("name", "slug")[:3]:
                items.append(
                    {
                        "label": name,
                        "kind": kind,
                        "url": reverse("services:list") + "?" + urlencode({param: slug}),
                    }
                )
    return render(
        request, "services/includes/suggestions.html", {"items": items[:8], "query": query}
    )
