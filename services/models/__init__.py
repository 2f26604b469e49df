"""The catalogue's data model.

A Service is the unit residents see (presented per service, not per provider). Its fields
cover the seed's programme of requirements (DOMAIN.md, "A service") and map onto the Open
Referral HSDS 3 `service` object; `services/hsds.py` is that mapping.

One module per part of the model; everything is re-exported here, so code imports
`from services.models import Service`. Arrows point one way: base ← places, taxonomy,
organisation ← service ← curation; no model module imports search, views or the admin.
"""

from .base import (
    LIVE_STATUSES,
    MAX_AGE,
    Domain,
    MunicipalityCount,
    ServiceFacets,
    VocabularyWord,
    unique_slug,
)
from .curation import (
    CampaignRecipient,
    ErrorReport,
    OrganisationVersion,
    ProposedChange,
    ProposedChangeQuerySet,
    ServiceVersion,
    VerificationCampaign,
)
from .organisation import Organisation
from .places import Municipality
from .service import Location, OpeningPeriod, Service, ServiceQuerySet
from .sessions import ActivitySession
from .taxonomy import Language, SupportType, Synonym, TargetGroup, Taxonomy, Theme

__all__ = [
    "ActivitySession",
    "LIVE_STATUSES",
    "MAX_AGE",
    "CampaignRecipient",
    "Domain",
    "ErrorReport",
    "Language",
    "Location",
    "Municipality",
    "MunicipalityCount",
    "OpeningPeriod",
    "Organisation",
    "OrganisationVersion",
    "ProposedChange",
    "ProposedChangeQuerySet",
    "Service",
    "ServiceFacets",
    "ServiceQuerySet",
    "ServiceVersion",
    "SupportType",
    "Synonym",
    "TargetGroup",
    "Taxonomy",
    "Theme",
    "VerificationCampaign",
    "VocabularyWord",
    "unique_slug",
]
