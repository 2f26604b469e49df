import functools

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

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


@register.filter
def is_in(value, container):
    """True when value is in container (the template language has no `in` for `with`)."""
    return value in (container or ())


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
