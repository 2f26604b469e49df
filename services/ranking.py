"""The one order of search results, in the catalogue and at the phone desk.

First how well a service fits the person, when something about the person is known (an
age typed in the catalogue, a caller's context at the phone desk); then how well the text
matches (the search `rank` annotation); then the most recently verified; then the name.

How a service fits a person (`fit`, higher is better):
- its age range excludes the person: far down (the phone desk still shows it, flagged);
- it is meant for the person's age: up, more when it is meant for people close to this age
  ("Ouderen (75+)" or "from 65" for someone of 78) than for a broad group ("50-plussers");
- it needs a referral or is only for people with a low income, and the person is not
  known to have one: a little down, as the person may not be able to use it;
- the person wants help at home and the service comes to the home: up.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, IntegerField, Q, Value, When

from . import criteria, lookups

# Age groups (target group slugs) and the ages they hold; the rest of the target groups
# are not about age.
AGE_GROUPS = {
    "ouderen-75-plus": (65, None),  # "Ouderen": "meestal vanaf 65 jaar"
    "55-plussers": (55, None),
    "50-plussers": (50, None),
    "jongeren": (12, 25),
}
# An age range starting here or later is meant for older people.
OLDER_FROM = 50
# A group or range starting at most this many years below an age is meant for that age.
CLOSE_YEARS = 15

MISFIT, MEANT_FOR, CONDITION, AT_HOME = -8, 2, -1, 1


@dataclass(frozen=True)
class Person:
    """What is known about the person help is sought for; all optional."""

    age: int | None = None
    at_home: bool = False
    low_income: bool = False
    has_referral: bool = False

    def __bool__(self):
        return self.age is not None or self.at_home or self.low_income or self.has_referral


def meant_for_age(age, *, closely, members=None):
    """Q: the service is meant for people of this age, not merely open to them.

    closely: meant for people near this age (an age group or an age range starting within
    CLOSE_YEARS below it, or a range with an upper bound, as for the young); otherwise
    also the broad groups (50-plussers for someone of 78). members: see in_age_groups."""
    low = age - CLOSE_YEARS if closely else 0
    groups = [
        slug
        for slug, (start, end) in AGE_GROUPS.items()
        if low <= start <= age and (end is None or age <= end)
    ]
    condition = in_age_groups(groups, members)
    if age >= OLDER_FROM:
        condition |= Q(min_age__gte=max(low, OLDER_FROM), min_age__lte=age)
    condition |= Q(max_age__isnull=False, max_age__gte=age, min_age__lte=age)
    return condition & ~criteria.age_misfit_q(age)


def age_group_flags():
    """{name: boolean expression}: whether a service is linked to each age group, by the one
    rule (criteria.taxonomy_q); in the order of AGE_GROUPS. See age_group_members."""
    return {
        f"in_age_group_{i}": Case(
            When(criteria.taxonomy_q("target_groups", [slug]), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for i, slug in enumerate(AGE_GROUPS)
    }


def age_group_members(rows):
    """{age group slug: ids} from rows of (pk, *the values of age_group_flags()), read
    once to pass to order() as `members`."""
    members = {slug: [] for slug in AGE_GROUPS}
    for pk, *linked in rows:
        for slug, is_linked in zip(AGE_GROUPS, linked, strict=True):
            if is_linked:
                members[slug].append(pk)
    return members


def in_age_groups(slugs, members=None):
    """Q: linked to one of these age groups (criteria.taxonomy_q, the one rule).

    members: the groups' services read beforehand (age_group_members) from a queryset that
    holds every service this Q will be asked about; then the Q is a list of ids, checked per
    row by hash, not a subquery that reads every link of the country (the phone desk keeps
    them per municipality and catalogue version: its "koffie" for a caller of 82 went from
    85 to 41 ms p50 at 100k services, load 1.8). The correlated EXISTS before the subquery
    was slower still: 124 ms p50 for that search (the phone branch's measurement)."""
    if members is None or not slugs:
        return criteria.taxonomy_q("target_groups", slugs)
    return Q(pk__any_of=lookups.Ids(sorted({pk for slug in slugs for pk in members[slug]})))


def fit(person, *, members=None):
    """An integer expression: how well each service fits this person (0 when unknown).

    members: see in_age_groups."""
    score = Value(0, output_field=IntegerField())
    if not person:
        return score
    if person.age is not None:
        score = score + Case(
            When(criteria.age_misfit_q(person.age), then=Value(MISFIT)),
            When(meant_for_age(person.age, closely=True, members=members), then=Value(MEANT_FOR)),
            When(
                meant_for_age(person.age, closely=False, members=members),
                then=Value(MEANT_FOR // 2),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    if not person.has_referral:
        score = score + Case(
            When(referral_required=True, then=Value(CONDITION)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if not person.low_income:
        score = score + Case(
            When(low_income_only=True, then=Value(CONDITION)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if person.at_home:
        score = score + Case(
            When(at_home=True, then=Value(AT_HOME)), default=Value(0), output_field=IntegerField()
        )
    return score


def order(queryset, person=None, *, ranked=True, first=(), members=None):
    """The queryset in the one result order. ranked: it has a `rank` annotation; first:
    order keys that go before all else (the catalogue puts closed services last);
    members: see in_age_groups."""
    keys = list(first)
    if person:
        queryset = queryset.alias(fit=fit(person, members=members))
        keys.append(F("fit").desc())
    if ranked:
        keys.append(F("rank").desc())
    keys += [F("verified_at").desc(nulls_last=True), "name", "pk"]
    return queryset.order_by(*keys)
