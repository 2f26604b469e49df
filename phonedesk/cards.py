"""The results list's cards: each service's card rendered once a minute and kept in the
shared cache, so the live search while staff type costs no query or rendering for the
services it showed a keystroke ago, or another staff member in the same municipality
showed this minute.

A card shows the time of day ("Nu open", today's hours, the next session), so its key
holds the minute; and the catalogue versions of the caller's municipality (read before
the search: lookup.catalogue_stamp), the language and whether the service is picked.
Cards that flag an age outside the service's range name the caller's age: those are
rendered for each request and never kept. Nothing else in a card is about the caller.

Only the card's "Wanneer" depends on the minute. What a card shows of a service (the
service with its locations, opening hours and sessions) and the rest of the card are kept
under the catalogue versions alone (no minute): until the next edit in the municipality,
a new minute costs no query and renders only each card's "Wanneer".
"""

import functools
import hashlib

import django
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from services import presentation

from . import lookup

TEMPLATE = "phonedesk/desk.html#result"
WHEN_TEMPLATE = "phonedesk/desk.html#today"
# Where a kept card's "Wanneer" goes; no service text can hold it (it is escaped).
WHEN_SLOT = mark_safe("<!--pd-today-->")  # noqa: S308
# The key changes every minute; this only lets the old ones go.
CARD_SECONDS = 120
# These keys change with every edit in the municipality (the catalogue versions); this
# only lets unused ones go.
SERVICE_SECONDS = 3600


@functools.cache
def model_stamp():
    """A short hash of Django's version and the fields of the models kept pickled: a deploy
    that changes them makes new keys, instead of unpickling rows of the old shape."""
    from services.models import ActivitySession, Location, OpeningPeriod, Service

    fields = [
        f"{model._meta.label}.{field.attname}"
        for model in (Service, Location, OpeningPeriod, ActivitySession)
        for field in model._meta.concrete_fields
    ]
    return hashlib.sha256(",".join([django.get_version(), *fields]).encode()).hexdigest()[:10]


def render(found, context):
    """The cards of a lookup.Found, in its order (a service gone since is left out)."""
    now = presentation.local_now()
    minute = now.strftime("%Y-%m-%dT%H:%M")
    language = translation.get_language()

    def kept(pk):
        return f"{language}:{found.stamp}:{pk}:{int(pk in context.picked)}"

    keys = {
        pk: f"phonedesk-card:{minute}:{kept(pk)}" for pk in found.ids if pk not in found.age_misfits
    }
    cached = cache.get_many(list(keys.values())) if keys else {}
    cards = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in found.ids if pk not in cards]
    if missing:
        keep, minute_cards = {}, {}
        fixed_keys = {pk: f"phonedesk-card-fixed:{kept(pk)}" for pk in missing if pk in keys}
        service_keys = {
            pk: f"phonedesk-card-service:{model_stamp()}:{found.stamp}:{pk}" for pk in missing
        }
        held = cache.get_many([*fixed_keys.values(), *service_keys.values()])
        services = {pk: held[key] for pk, key in service_keys.items() if key in held}
        read = lookup.services_for_results([pk for pk in missing if pk not in services])
        services.update((service.pk, service) for service in read)
        keep.update((service_keys[service.pk], service) for service in read)
        shown = [services[pk] for pk in missing if pk in services]
        for item in lookup.readouts(shown, context, now):
            pk = item.service.pk
            data = {"item": item, "caller": context}
            when = render_to_string(WHEN_TEMPLATE, data)
            if pk not in keys:
                # Names the caller's age: rendered whole, kept nowhere.
                cards[pk] = render_to_string(TEMPLATE, {**data, "when": when})
                continue
            fixed = held.get(fixed_keys[pk])
            if fixed is None:
                fixed = render_to_string(TEMPLATE, {**data, "when": WHEN_SLOT})
                keep[fixed_keys[pk]] = fixed
            cards[pk] = fixed.replace(WHEN_SLOT, when, 1)
            minute_cards[keys[pk]] = cards[pk]
        if keep and SERVICE_SECONDS:
            cache.set_many(keep, SERVICE_SECONDS)
        if minute_cards:
            cache.set_many(minute_cards, CARD_SECONDS)
    # Our own template's output, escaped when it was rendered.
    return [mark_safe(cards[pk]) for pk in found.ids if pk in cards]  # noqa: S308
