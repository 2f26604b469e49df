"""The results list's cards: each service's card rendered once a minute and kept in the
shared cache, so the live search while staff type costs no query or rendering for the
services it showed a keystroke ago, or another staff member in the same municipality
showed this minute.

A card shows the time of day ("Nu open", today's hours, the next session), so its key
holds the minute; and the catalogue versions of the caller's municipality (read before
the search: lookup.catalogue_stamp), the language and whether the service is picked.
Cards that flag an age outside the service's range name the caller's age: those are
rendered for each request and never kept. Nothing else in a card is about the caller.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from services import presentation

from . import lookup

TEMPLATE = "phonedesk/desk.html#result"
# The key changes every minute; this only lets the old ones go.
CARD_SECONDS = 120


def render(found, context):
    """The cards of a lookup.Found, in its order (a service gone since is left out)."""
    now = presentation.local_now()
    minute = now.strftime("%Y-%m-%dT%H:%M")
    language = translation.get_language()
    keys = {
        pk: f"phonedesk-card:{language}:{found.stamp}:{minute}:{pk}:{int(pk in context.picked)}"
        for pk in found.ids
        if pk not in found.age_misfits
    }
    cached = cache.get_many(list(keys.values())) if keys else {}
    cards = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in found.ids if pk not in cards]
    keep = {}
    for item in lookup.readouts(lookup.services_for_results(missing), context, now):
        pk = item.service.pk
        cards[pk] = render_to_string(TEMPLATE, {"item": item, "caller": context})
        if pk in keys:
            keep[keys[pk]] = cards[pk]
    if keep:
        cache.set_many(keep, CARD_SECONDS)
    # Our own template's output, escaped when it was rendered.
    return [mark_safe(cards[pk]) for pk in found.ids if pk in cards]  # noqa: S308
