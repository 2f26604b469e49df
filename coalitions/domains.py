"""The twelve domains a coalition draws its parties from, and which of them a coalition misses."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from services.models import Domain

# Kinds of parties to invite from each domain (DOMAIN.md, "Coalitions"), in plain words.
DOMAIN_EXAMPLES = {
    Domain.MUNICIPALITY: _("de wethouder, beleidsmedewerkers, het wijkteam"),
    Domain.SELF_ORGANISATIONS: _("ouderenbonden, cliëntenraden, patiëntenverenigingen"),
    Domain.ENTREPRENEURS: _("supermarkten, kappers, apotheken, notarissen"),
    Domain.INTEGRATION: _("het asielzoekerscentrum, vluchtelingenwerk, de reclassering"),
    Domain.DEBT_POVERTY: _("schuldhulp, de voedselbank, hulp bij formulieren"),
    Domain.CARE_WELFARE: _("welzijnswerk, huisartsen, thuiszorg, fysiotherapeuten"),
    Domain.HOUSING: _("woningcorporaties, huurdersverenigingen, bouwbedrijven"),
    Domain.ART_CULTURE: _("de bibliotheek, theaters, muziekscholen, musea"),
    Domain.FAITH: _("kerken, moskeeën, andere geloofs- en levensbeschouwelijke groepen"),
    Domain.SPORT: _("sportverenigingen, buurtsportcoaches, zwembaden"),
    Domain.EDUCATION: _("scholen, het mbo, de volksuniversiteit"),
    Domain.FINANCIAL: _("banken, verzekeraars, fondsen"),
}


@dataclass
class DomainGroup:
    value: str
    label: str
    examples: str
    members: list = field(default_factory=list)
    candidates: list = field(default_factory=list)


@dataclass
class Coverage:
    present: list
    missing: list

    @property
    def total(self):
        return len(Domain.values)


def domain_coverage(memberships, candidates=(), max_candidates=3):
    """Group memberships by domain (in the order of the twelve) and list the missing domains.

    `candidates` are organisations that could be invited (their `domain` is used); each missing
    domain gets at most `max_candidates` of them.
    """
    groups = {
        value: DomainGroup(value=value, label=label, examples=DOMAIN_EXAMPLES[value])
        for value, label in Domain.choices
    }
    for membership in memberships:
        group = groups.get(membership.domain)
        if group is not None:
            group.members.append(membership)
    member_ids = {membership.organisation_id for membership in memberships}
    for organisation in candidates:
        group = groups.get(organisation.domain)
        if (
            group is not None
            and not group.members
            and organisation.pk not in member_ids
            and len(group.candidates) < max_candidates
        ):
            group.candidates.append(organisation)
    present = [group for group in groups.values() if group.members]
    missing = [group for group in groups.values() if not group.members]
    return Coverage(present=present, missing=missing)
