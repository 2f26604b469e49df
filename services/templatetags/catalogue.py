import functools

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .. import presentation
from ..validators import tel_href

register = template.Library()


@register.filter
def tel(value):
    """A phone number as the digits for a tel: link."""
    return tel_href(value)


@register.filter
def in_sentence(value):
    """A label after a chip's own label: "Kosten: gratis", "Hoe: één op één"."""
    return presentation.in_sentence(value)


@register.simple_tag
def icon(name):
    """An inline SVG icon from the sprite, hidden from screen readers (text sits beside it)."""
    return _icon(name, _sprite_url())


@functools.cache
def _sprite_url():
    # The static files' manifest is read once per process, so the sprite's address cannot
    # change while it runs; looking it up took 24 µs, for each of 136 icons on a page.
    return static("img/icons.svg")


@functools.lru_cache(maxsize=128)
def _icon(name, sprite):
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        sprite,
        name,
    )


@register.simple_tag
def picker_options(values):
    """A facet's long list as the options of its select (facet.html): "Baarn (12)", or the
    name alone where there is no count. Joined here rather than by a template loop: 341
    municipalities took 6 ms through the template's nodes, half of all filter groups."""
    return format_html_join(
        "",
        '<option value="{}">{}{}</option>',
        (
            (value.value, value.label, "" if value.count is None else f" ({value.count})")
            for value in values
        ),
    )


# What a service shows, from the one presentation module (services.presentation).
register.filter("cost_label", presentation.cost_label)
register.filter("age_label", presentation.age_label)
register.filter("scope_label", presentation.scope_label)
register.filter("verified_label", presentation.verified_label)
register.filter("long_date", presentation.long_date)
register.filter("temporarily_closed", presentation.is_temporarily_closed)


@register.filter
def next_session(service):
    """The next time the activity takes place (see presentation.next_session), or None."""
    return presentation.next_session(service)


SELECTION_URLS = {"shortlist": "services:toggle_shortlist", "compare": "services:toggle_compare"}
SELECTION_LABELS = {
    ("shortlist", True): _("Bewaard"),
    ("shortlist", False): _("Bewaar"),
    ("compare", True): _("Vergelijken"),
    ("compare", False): _("Vergelijk"),
}
SELECTION_ANNOUNCEMENTS = {
    ("shortlist", True): _("Op uw lijst gezet."),
    ("shortlist", False): _("Van uw lijst gehaald."),
    ("compare", True): _("Toegevoegd aan vergelijken."),
    ("compare", False): _("Niet meer vergelijken."),
}


@register.simple_tag(takes_context=True)
def selection_button(
    context, service, kind, chosen, oob=False, announce=False, error="", added=False,
    on_compare=False,
):  # fmt: skip
    """The "Bewaar" or "Vergelijk" button of one service (kind "shortlist" or "compare"),
    pressed when the service is in `chosen`; with announce, the status line a screen reader
    reads after a toggle; with oob, swapped out of band (from the compare tray).

    Written in Python, not a template: a page of twenty cards holds forty of them and is
    rendered anew after every edit; as an included template they took 16 ms of it."""
    in_list = service.pk in (getattr(chosen, "ids", None) or ())
    toggle_url = reverse(SELECTION_URLS[kind], args=[service.slug])
    request = context.get("request")
    next_path = context.get("canonical_path") or (request.get_full_path() if request else "")
    status = ""
    if announce:
        message = error or SELECTION_ANNOUNCEMENTS[(kind, bool(added))]
        status = format_html('<span class="visually-hidden" role="status">{}</span>', message)
    link = ""
    if kind == "compare" and in_list and not on_compare:
        link = format_html(
            '<a href="{}">{}</a>', reverse("services:compare"), _("Naar vergelijken")
        )
    return format_html(
        '\n<form method="post" class="selection-form" id="{kind}-{pk}"\n'
        '      action="{url}"\n'
        '      data-hx-post="{url}"\n'
        '      data-hx-target="this" data-hx-swap="outerHTML"{oob}>\n'
        "  {csrf}\n"
        '  <input type="hidden" name="next" value="{next}">\n'
        '  <button type="submit" class="button button--secondary button--small" '
        'id="{kind}-{pk}-knop" aria-pressed="{pressed}">\n'
        '    {label}<span class="visually-hidden">: {name}</span>\n'
        "  </button>\n"
        "  {status}\n"
        "  {error}\n"
        "  {link}\n"
        "</form>\n",
        kind=kind,
        pk=service.pk,
        url=toggle_url,
        oob=mark_safe(' data-hx-swap-oob="outerHTML"') if oob else "",  # noqa: S308
        csrf=CsrfTokenNode().render(context),
        next=next_path,
        pressed="true" if in_list else "false",
        label=SELECTION_LABELS[(kind, in_list)],
        name=service.name,
        status=status,
        error=format_html('<span class="errorlist">{}</span>', error) if error else "",
        link=link,
    )
