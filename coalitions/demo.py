"""Demo data for the coalition pages: one coalition in Voorbeeldstad, with fictional figures.

Called at the end of the project's load_demo command, after the catalogue's demo data; works
alone as well (it then creates the municipality and the organisations it needs). Idempotent:
every row is found by a natural key and updated, so running it twice changes nothing.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from services.models import Domain, Municipality, Organisation, Service, TargetGroup

from .models import (
    Coalition,
    Commitment,
    Goal,
    Indicator,
    LonelinessFigure,
    Measurement,
    Membership,
    PillarStatus,
    Step,
)

MUNICIPALITY_SLUG = "voorbeeldstad"
COALITION_SLUG = "samen-tegen-eenzaamheid-voorbeeldstad"
DEMO_SOURCE = "Fictieve democijfers"
NATIONAL_SOURCE = "Gezondheidsmonitor Volwassenen en Ouderen 2016 (RIVM/GGD/CBS)"

# Fictional member organisations (slug, name, domain, role, since). Integration, education
# and the financial sector stay empty on purpose: the page then shows missing domains.
MEMBERS = [
    ("gemeente-voorbeeldstad", "Gemeente Voorbeeldstad", Domain.MUNICIPALITY, "core", "2022-03-01"),
    ("welzijn-voorbeeldstad", "Welzijn Voorbeeldstad", Domain.CARE_WELFARE, "lead", "2022-03-01"),
    (
        "ouderenbond-voorbeeldstad",
        "Ouderenbond Voorbeeldstad",
        Domain.SELF_ORGANISATIONS,
        "core",
        "2022-03-01",
    ),
    (
        "bibliotheek-voorbeeldstad",
        "Bibliotheek Voorbeeldstad",
        Domain.ART_CULTURE,
        "core",
        "2022-06-01",
    ),
    (
        "woonstichting-voorbeeldstad",
        "Woonstichting Voorbeeldstad",
        Domain.HOUSING,
        "working_group",
        "2022-09-01",
    ),
    (
        "winkeliersvereniging-voorbeeldstad",
        "Winkeliersvereniging Voorbeeldstad",
        Domain.ENTREPRENEURS,
        "working_group",
        "2023-01-15",
    ),
    (
        "sportief-voorbeeldstad",
        "Sportief Voorbeeldstad",
        Domain.SPORT,
        "working_group",
        "2023-02-01",
    ),
    (
        "voedselbank-voorbeeldstad",
        "Voedselbank Voorbeeldstad",
        Domain.DEBT_POVERTY,
        "working_group",
        "2023-04-01",
    ),
    (
        "raad-van-kerken-voorbeeldstad",
        "Raad van Kerken Voorbeeldstad",
        Domain.FAITH,
        "working_group",
        "2023-09-01",
    ),
]
LEAD_SLUG = "welzijn-voorbeeldstad"

# Services made only when the member has none in the catalogue yet (load() run alone).
FALLBACK_SERVICES = {
    "welzijn-voorbeeldstad": (
        "maatjes-voorbeeldstad-demo",
        "Maatje voor ouderen (demo)",
        "Een vaste vrijwilliger komt elke week bij u op bezoek.",
    ),
    "bibliotheek-voorbeeldstad": (
        "taalcafe-bibliotheek-voorbeeldstad-demo",
        "Taalcafé in de bibliotheek (demo)",
        "Elke week praten over het nieuws, met koffie, in eenvoudige taal.",
    ),
}

GOALS = [
    {
        "title": "Minder inwoners van 75 jaar en ouder voelen zich eenzaam",
        "description": (
            "Ouderen die alleen wonen, krijgen vaker bezoek en gaan vaker de deur uit. "
            "Dat meten wij elk jaar in het najaar met een paar korte vragen."
        ),
        "target_date": "2027-12-31",
        "indicators": [
            (
                "Inwoners van 75 jaar en ouder die zich eenzaam voelen",
                Indicator.Unit.PERCENT,
                "52",
                "45",
                Indicator.Direction.LOWER,
                ["51", "49", "47.5"],
                "Vragenlijst onder ouderen (verzonnen)",
            ),
            (
                "Ouderen met een vast maatje",
                Indicator.Unit.PEOPLE,
                "40",
                "120",
                Indicator.Direction.HIGHER,
                ["55", "80", "96"],
                "Registratie welzijn (fictief)",
            ),
        ],
        "commitments": [
            ("welzijn-voorbeeldstad", "Koppelt ouderen aan een vaste vrijwilliger."),
            ("ouderenbond-voorbeeldstad", "Leden bezoeken ouderen die alleen wonen."),
            ("raad-van-kerken-voorbeeldstad", "Opent elke week een ontmoetingsplek."),
        ],
    },
    {
        "title": "Meer inwoners weten waar zij terechtkunnen",
        "description": "Inwoners en hun naasten vinden snel een activiteit of hulp in de buurt.",
        "target_date": "2026-12-31",
        "indicators": [
            (
                "Inwoners die de sociale kaart kennen",
                Indicator.Unit.PERCENT,
                "18",
                "40",
                Indicator.Direction.HIGHER,
                ["21", "27", "33"],
                "Inwonerspanel (fictief)",
            ),
        ],
        "commitments": [
            ("gemeente-voorbeeldstad", "Zet de sociale kaart in de gemeentekrant."),
            ("bibliotheek-voorbeeldstad", "Helpt bezoekers zoeken in de sociale kaart."),
        ],
    },
    {
        "title": "Signalen van eenzaamheid komen sneller bij de juiste hulp",
        "description": (
            "Kappers, winkeliers, huismeesters en sporttrainers herkennen eenzaamheid en weten "
            "wie ze kunnen bellen."
        ),
        "target_date": "2027-06-30",
        "indicators": [
            (
                "Mensen die geleerd hebben eenzaamheid te herkennen",
                Indicator.Unit.PEOPLE,
                "0",
                "150",
                Indicator.Direction.HIGHER,
                ["35", "80", "118"],
                "Trainingsregistratie (fictief)",
            ),
            (
                "Rapportcijfer van deelnemers voor de training",
                Indicator.Unit.GRADE,
                "7",
                "8",
                Indicator.Direction.HIGHER,
                ["7.6"],
                "Evaluatieformulier (fictief)",
            ),
        ],
        "commitments": [
            ("winkeliersvereniging-voorbeeldstad", "Laat winkelpersoneel de training volgen."),
            (
                "woonstichting-voorbeeldstad",
                "Huismeesters melden zorgen bij het wijkteam (de hulp van de gemeente in uw wijk).",
            ),
            ("sportief-voorbeeldstad", "Trainers nodigen eenzame leden persoonlijk uit."),
            ("voedselbank-voorbeeldstad", "Vraagt klanten naar hun contacten en wijst de weg."),
        ],
    },
]
MEASUREMENT_DATES = ["2023-10-01", "2024-10-01", "2025-10-01"]


def _date(value):
    return datetime.date.fromisoformat(value)


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _upsert(model, lookup, values):
    """Find a row by lookup, set values, validate and save it."""
    instance = model._default_manager.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(instance, name, value)
    return _save(instance)


def _organisation(slug, name, domain):
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        organisation = _save(
            Organisation(
                slug=slug,
                name=name,
                domain=domain,
                website=f"https://{slug}.example.org/",
                description="Fictieve organisatie voor de demo.",
            )
        )
    return organisation


def _services_of(organisation, municipality):
    return list(
        Service.objects.published()
        .filter(organisation=organisation, municipalities=municipality)
        .order_by("name")[:2]
    )


def _fallback_service(organisation, municipality, slug, name, summary):
    service = Service.objects.filter(slug=slug).first()
    if service is not None:
        return service
    target_group = TargetGroup.objects.order_by("position", "name").first()
    if target_group is None:
        target_group = _save(TargetGroup(name="Iedereen", slug="iedereen"))
    service = Service(
        organisation=organisation,
        slug=slug,
        name=name,
        summary=summary,
        essence=summary + " Dit is een voorbeeld voor de demo.",
        url=organisation.website,
        status=Service.Status.PUBLISHED,
        scope=Service.Scope.LOCAL,
        out_of_home=True,
    )
    service.full_clean()
    service.clean_relations(municipalities=[municipality], target_groups=[target_group])
    service.save()
    service.municipalities.set([municipality])
    service.target_groups.set([target_group])
    service.refresh_search_extra()
    return service


@transaction.atomic
def load(*, stdout=None) -> dict:
    """Create or update the Voorbeeldstad coalition and the loneliness figures; returns counts."""
    municipality, _ = Municipality.objects.get_or_create(
        slug=MUNICIPALITY_SLUG, defaults={"name": "Voorbeeldstad"}
    )
    organisations = {slug: _organisation(slug, name, domain) for slug, name, domain, *_ in MEMBERS}

    coalition = _upsert(
        Coalition,
        {"slug": COALITION_SLUG},
        {
            "municipality": municipality,
            "name": "Samen tegen eenzaamheid Voorbeeldstad",
            "description": (
                "In Voorbeeldstad werken de gemeente, welzijn, ouderen, winkeliers, kerken, "
                "sport en cultuur samen tegen eenzaamheid. Wij willen dat iedereen iemand "
                "heeft om mee te praten, en dat niemand er alleen voor staat.\n\n"
                "Dit is een voorbeeld met verzonnen gegevens."
            ),
            "lead_organisation": organisations[LEAD_SLUG],
            "start_date": _date("2022-03-01"),
            "step": Step.CARRY_OUT,
            "commitment_status": PillarStatus.IN_PLACE,
            "commitment_note": "De gemeenteraad steunt het plan tot en met 2027.",
            "network_status": PillarStatus.UNDER_WAY,
            "network_note": "Organisaties uit negen werkvelden doen mee; scholen en banken nog niet.",
            "involvement_status": PillarStatus.UNDER_WAY,
            "involvement_note": "Zes inwoners die zelf eenzaam zijn geweest, denken mee (ervaringsdeskundigen).",
            "continuity_status": PillarStatus.NOT_STARTED,
            "continuity_note": "",
            "monitoring_status": PillarStatus.UNDER_WAY,
            "monitoring_note": "Elk najaar stellen we ouderen een paar korte vragen.",
            "is_published": True,
        },
    )

    memberships = {}
    for slug, _name, domain, role, since in MEMBERS:
        memberships[slug] = _upsert(
            Membership,
            {"coalition": coalition, "organisation": organisations[slug]},
            {"domain": domain, "role": role, "since": _date(since)},
        )
    # Organisations of Voorbeeldstad from the catalogue's demo data take part as well.
    local = (
        Organisation.objects.filter(
            services__municipalities=municipality,
            services__status=Service.Status.PUBLISHED,
        )
        .exclude(slug__in=organisations)
        .distinct()
        .order_by("name")[:4]
    )
    for organisation in local:
        memberships[organisation.slug] = _upsert(
            Membership,
            {"coalition": coalition, "organisation": organisation},
            {"domain": organisation.domain, "role": Membership.Role.WORKING_GROUP},
        )

    counts = {"goals": 0, "indicators": 0, "measurements": 0, "commitments": 0}
    for position, spec in enumerate(GOALS, start=1):
        goal = _upsert(
            Goal,
            {"coalition": coalition, "title": spec["title"]},
            {
                "description": spec["description"],
                "target_date": _date(spec["target_date"]),
                "position": position,
            },
        )
        counts["goals"] += 1
        for name, unit, baseline, target, direction, values, source in spec["indicators"]:
            indicator = _upsert(
                Indicator,
                {"goal": goal, "name": name},
                {
                    "unit": unit,
                    "baseline": Decimal(baseline),
                    "target": Decimal(target),
                    "direction": direction,
                },
            )
            counts["indicators"] += 1
            dates = MEASUREMENT_DATES[-len(values) :]
            for date, value in zip(dates, values, strict=True):
                _upsert(
                    Measurement,
                    {"indicator": indicator, "date": _date(date)},
                    {"value": Decimal(value), "unit": unit, "source": source},
                )
                counts["measurements"] += 1
        for slug, description in spec["commitments"]:
            membership = memberships[slug]
            commitment = _upsert(
                Commitment,
                {"goal": goal, "membership": membership},
                {"description": description},
            )
            services = _services_of(membership.organisation, municipality)
            if not services and slug in FALLBACK_SERVICES:
                services = [
                    _fallback_service(
                        membership.organisation, municipality, *FALLBACK_SERVICES[slug]
                    )
                ]
            commitment.clean_relations(services=services)
            commitment.services.set(services)
            counts["commitments"] += 1

    coordinator = get_user_model().objects.filter(username="coordinator").first()
    if coordinator is not None:
        coalition.coordinators.add(coordinator)

    _upsert(
        LonelinessFigure,
        {"municipality": municipality, "year": 2022},
        {
            "lonely_percent": Decimal("46"),
            "severely_lonely_percent": Decimal("12"),
            "source": f"{DEMO_SOURCE}: verzonnen voor deze demo, geen echte meting.",
        },
    )
    _upsert(
        LonelinessFigure,
        {"municipality": None, "year": 2016},
        {
            "lonely_percent": Decimal("43"),
            "severely_lonely_percent": Decimal("10"),
            "source": NATIONAL_SOURCE,
        },
    )

    result = {
        "coalitions": 1,
        "members": len(memberships),
        **counts,
        "figures": 2,
        "coordinator": coordinator is not None,
    }
    if stdout is not None:
        stdout.write(
            "Coalitie {name}: {members} deelnemers, {goals} doelen, {measurements} metingen.\n".format(
                name=coalition.name, **result
            )
        )
    return result
