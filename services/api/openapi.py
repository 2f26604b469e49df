"""Our own OpenAPI 3.1 document for the HSDS API, and the profile it declares.

It follows the HSDS 3.0 reference API (paths, parameter names, the Page envelope) and adds
ORUK's service parameters. Response schemas describe what we send, in our own words;
each object validates against the official HSDS 3.0 and ORUK 3.0 schemas (tests do that).
"""

from services import hsds

from .params import TIME_PATTERN
from .query import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE

HSDS_SCHEMA = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
UUID = {"type": "string", "format": "uuid"}
STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
NUMBER = {"type": "number"}


def obj(required, properties):
    return {"type": "object", "required": required, "properties": properties}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def array(item):
    return {"type": "array", "items": item}


CHILD = obj(["id"], {"id": UUID})
SCHEMAS = {
    "Error": obj(["error", "message"], {"error": STRING, "message": STRING, "parameter": STRING}),
    "Page": obj(
        ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"],
        {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 0},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
        },
    ),
    "Minimal": obj(
        ["id", "last_modified"],
        {"id": UUID, "last_modified": {"type": "string", "format": "date-time"}},
    ),
    "ServiceFields": obj(
        ["id", "name", "status", "organization_id", "last_modified"],
        {
            "id": UUID,
            "organization_id": UUID,
            "name": STRING,
            "alternate_name": STRING,
            "description": STRING,
            "url": {"type": "string", "format": "uri"},
            "email": {"type": "string", "format": "email"},
            "status": {"enum": sorted(set(hsds.STATUS.values()))},
            "application_process": STRING,
            "fees_description": STRING,
            "wait_time": STRING,
            "eligibility_description": STRING,
            "minimum_age": NUMBER,
            "maximum_age": NUMBER,
            "assured_date": DATE,
            "assurer_email": {"type": "string", "format": "email"},
            "alert": STRING,
            "last_modified": {"type": "string", "format": "date-time"},
        },
    ),
    "Service": {
        "allOf": [
            ref("ServiceFields"),
            obj(
                ["organization"],
                {
                    "organization": ref("Organization"),
                    "phones": array(ref("Phone")),
                    "languages": array(CHILD),
                    "cost_options": array(CHILD),
                    "service_areas": array(CHILD),
                    "service_at_locations": array(ref("ServiceAtLocation")),
                    "attributes": array(ref("Attribute")),
                    "metadata": array(CHILD),
                },
            ),
        ]
    },
    "Phone": obj(["id", "number"], {"id": UUID, "number": STRING, "description": STRING}),
    "Organization": obj(
        ["id", "name", "description"],
        {
            "id": UUID,
            "name": STRING,
            "description": STRING,
            "email": {"type": "string", "format": "email"},
            "website": {"type": "string", "format": "uri"},
            "phones": array(ref("Phone")),
        },
    ),
    "Location": obj(
        ["id", "location_type"],
        {
            "id": UUID,
            "location_type": {"const": "physical"},
            "name": STRING,
            "latitude": NUMBER,
            "longitude": NUMBER,
            "addresses": array(CHILD),
            "accessibility": array(CHILD),
            "schedules": array(
                obj(
                    ["id", "freq", "byday", "opens_at", "closes_at"],
                    {
                        "id": UUID,
                        "freq": {"const": "WEEKLY"},
                        "byday": {"enum": hsds.WEEKDAYS},
                        "opens_at": {"type": "string", "pattern": r"^\d\d:\d\d[+-]\d\d:\d\d$"},
                        "closes_at": {"type": "string", "pattern": r"^\d\d:\d\d[+-]\d\d:\d\d$"},
                        "timezone": NUMBER,
                    },
                )
            ),
        },
    ),
    "ServiceAtLocation": obj(
        ["id", "service_id", "location_id", "location"],
        {"id": UUID, "service_id": UUID, "location_id": UUID, "location": ref("Location")},
    ),
    "Taxonomy": obj(
        ["id", "name", "description"],
        {"id": UUID, "name": STRING, "description": STRING, "version": STRING},
    ),
    "TaxonomyTerm": obj(
        ["id", "name", "description", "code", "taxonomy_id"],
        {
            "id": UUID,
            "code": STRING,
            "name": STRING,
            "description": STRING,
            "taxonomy": STRING,
            "taxonomy_id": UUID,
            "language": STRING,
        },
    ),
    "Attribute": obj(
        ["id", "link_id", "link_type", "taxonomy_term_id", "taxonomy_term"],
        {
            "id": UUID,
            "link_id": UUID,
            "link_type": {"enum": sorted({t.link_type for t in hsds.TAXONOMIES})},
            "link_entity": {"const": "service"},
            "taxonomy_term_id": UUID,
            "taxonomy_term": ref("TaxonomyTerm"),
        },
    ),
}


def parameter(name, schema, description):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


BOOLEAN = {"type": "boolean"}
PARAMETERS = {
    "search": parameter(
        "search", STRING, "Vrij zoeken, zoals in de catalogus (de eerste 200 tekens tellen)."
    ),
    "page": parameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        "Paginanummer.",
    ),
    "per_page": parameter(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        "Aantal resultaten per pagina.",
    ),
    "format": parameter(
        "format",
        {"enum": ["json", "ndjson"], "default": "json"},
        "ndjson: alle resultaten, één JSON-object per regel, zonder paginering.",
    ),
    "taxonomy_term_id": parameter("taxonomy_term_id", UUID, "Diensten met deze term."),
    "taxonomy_id": parameter("taxonomy_id", UUID, "Diensten met een term uit deze taxonomie."),
    "organization_id": parameter("organization_id", UUID, "Diensten van deze organisatie."),
    "modified_after": parameter(
        "modified_after",
        {"type": "string", "format": "date-time"},
        "Diensten gewijzigd op of na dit tijdstip (ISO 8601).",
    ),
    "minimal": parameter("minimal", BOOLEAN, "Alleen id en last_modified per dienst."),
    "full": parameter("full", BOOLEAN, "Volledig geneste objecten."),
    "minimum_age": parameter(
        "minimum_age",
        {"type": "number", "minimum": 0, "maximum": 120},
        "ORUK. Diensten die open staan voor iemand van deze leeftijd.",
    ),
    "maximum_age": parameter(
        "maximum_age",
        {"type": "number", "minimum": 0, "maximum": 120},
        "ORUK. Diensten die open staan voor iemand van deze leeftijd (samen met minimum_age: "
        "voor elke leeftijd daartussen).",
    ),
    "day": parameter(
        "day",
        {"enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
        "ORUK. Diensten met openingstijden op deze dag.",
    ),
    "start_time": parameter(
        "start_time",
        {"type": "string", "pattern": TIME_PATTERN},
        "ORUK. Open vanaf dit tijdstip of later (Nederlandse tijd, HH:MM).",
    ),
    "end_time": parameter(
        "end_time",
        {"type": "string", "pattern": TIME_PATTERN},
        "ORUK. Gesloten om dit tijdstip of eerder (Nederlandse tijd, HH:MM).",
    ),
    "when": parameter(
        "when",
        {"enum": ["today", "this_week", "open_now"]},
        "Uitbreiding van deze API (geen HSDS of ORUK): diensten die vandaag of deze week (tot "
        "en met zondag) nog open zijn of plaatsvinden, of nu open zijn of nu plaatsvinden, in "
        "Nederlandse tijd, volgens de openingstijden en de keren dat een activiteit plaatsvindt "
        "(schedules). Dezelfde betekenis als het filter Wanneer in de catalogus. Een antwoord "
        "met when mag tot de volgende minuut bewaard worden (Cache-Control).",
    ),
    "top_only": parameter("top_only", BOOLEAN, "Alleen termen bovenaan (al onze termen)."),
    "parent_id": parameter(
        "parent_id", UUID, "Termen onder deze term (onze taxonomieën zijn plat)."
    ),
}
SERVICE_FILTERS = [
    "search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after",
    "minimum_age", "maximum_age", "day", "start_time", "end_time", "when",
]  # fmt: skip


def params(*names):
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def json_response(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": json_response(ref("Error"), "Ongeldige parameter."),
    "429": json_response(ref("Error"), "Te veel verzoeken van dit adres."),
}
NOT_FOUND = {"404": json_response(ref("Error"), "Niet gevonden.")}


def page_of(item):
    return {
        "allOf": [ref("Page"), obj(["contents"], {"contents": array(item)})],
    }


def list_operation(summary, item, names, operation_id, detail=None):
    """A list endpoint; detail: (operationId, path parameter) of the one-item endpoint."""
    links = {}
    if detail:
        links[detail[0]] = {
            "operationId": detail[0],
            "parameters": {detail[1]: "$response.body#/contents/0/id"},
        }
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": params(*names),
            "responses": {
                "200": {
                    "description": "Een pagina, of met format=ndjson alle resultaten.",
                    **({"links": links} if links else {}),
                    "content": {
                        "application/json": {"schema": page_of(item)},
                        "application/x-ndjson": {"schema": {"type": "string"}},
                    },
                },
                **ERRORS,
            },
        }
    }


def detail_operation(summary, schema, name, operation_id):
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": json_response(schema), **NOT_FOUND, "429": ERRORS["429"]},
        }
    }


def document(base_url):
    """The OpenAPI document, with the server at base_url (the API's root, ending in /)."""
    service_item = {"anyOf": [ref("ServiceFields"), ref("Minimal"), ref("Service")]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sociale Kaart: HSDS 3.0 open data",
            "version": "1.0",
            "summary": "Diensten tegen eenzaamheid als Open Referral HSDS 3.0 (met ORUK-parameters).",
            "description": "Gevolgd: de HSDS 3.0-referentie-API en Open Referral UK 3.0. "
            "Parameters werken samen (EN). Zonder sleutel; per adres begrensd.",
            "license": {"name": "CC0 1.0", "identifier": "CC0-1.0"},
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "externalDocs": {"url": HSDS_SCHEMA + "openapi.json"},
        "paths": {
            "/": {
                "get": {
                    "summary": "Over deze API",
                    "responses": {
                        "200": json_response(
                            obj(
                                ["version", "profile", "openapi_url"],
                                {
                                    "version": STRING,
                                    "profile": {"type": "string", "format": "uri"},
                                    "openapi_url": {"type": "string", "format": "uri"},
                                },
                            )
                        ),
                        "429": ERRORS["429"],
                    },
                }
            },
            "/services": list_operation(
                "Diensten",
                service_item,
                ["page", "per_page", "format", "minimal", "full", *SERVICE_FILTERS],
                "listServices",
                ("getService", "service_id"),
            ),
            "/services/{service_id}": detail_operation(
                "Eén dienst", ref("Service"), "service_id", "getService"
            ),
            "/taxonomies": list_operation(
                "Taxonomieën",
                ref("Taxonomy"),
                ["search", "page", "per_page", "format"],
                "listTaxonomies",
                ("getTaxonomy", "taxonomy_id"),
            ),
            "/taxonomies/{taxonomy_id}": detail_operation(
                "Eén taxonomie", ref("Taxonomy"), "taxonomy_id", "getTaxonomy"
            ),
            "/taxonomy_terms": list_operation(
                "Termen",
                ref("TaxonomyTerm"),
                ["search", "page", "per_page", "format", "taxonomy_id", "top_only", "parent_id"],
                "listTaxonomyTerms",
                ("getTaxonomyTerm", "term_id"),
            ),
            "/taxonomy_terms/{term_id}": detail_operation(
                "Eén term", ref("TaxonomyTerm"), "term_id", "getTaxonomyTerm"
            ),
            "/organizations": list_operation(
                "Organisaties",
                ref("Organization"),
                ["search", "full", "page", "per_page", "format"],
                "listOrganizations",
                ("getOrganization", "organization_id"),
            ),
            "/organizations/{organization_id}": detail_operation(
                "Eén organisatie", ref("Organization"), "organization_id", "getOrganization"
            ),
            "/service_at_locations": list_operation(
                "Diensten op locaties",
                ref("ServiceAtLocation"),
                ["page", "per_page", "format", "full", *SERVICE_FILTERS],
                "listServiceAtLocations",
            ),
        },
        "components": {"schemas": SCHEMAS, "parameters": PARAMETERS},
    }


def profile():
    """What our profile of HSDS 3.0 adds or decides (the `profile` URL of GET /)."""
    return {
        "name": "Sociale Kaart (Nederland)",
        "based_on": "https://docs.openreferral.org/en/latest/hsds/",
        "hsds_version": hsds.VERSION,
        "also_valid_against": "Open Referral UK 3.0 (https://openreferraluk.org)",
        "conventions": {
            "ids": "UUID's die bewaard blijven; onderdelen zonder eigen rij krijgen een UUID "
            "afgeleid van die van hun ouder.",
            "taxonomies": [
                {**hsds.taxonomy_object(t), "link_type": t.link_type} for t in hsds.TAXONOMIES
            ],
            "service_areas": "Landelijk aanbod: één gebied 'Nederland'. Lokaal: één gebied per "
            "gemeente, uri = TOOI-identifier (https://identifier.overheid.nl/tooi/id/gemeente/gmNNNN).",
            "schedules": "Wekelijks (freq WEEKLY, byday); tijden in Europe/Amsterdam met de "
            "UTC-afwijking van de eerstvolgende zo'n dag.",
            "phones": "E.164, behalve nummers die alleen in Nederland te bellen zijn (14-nummers).",
            "statuses": "active, temporarily closed, defunct (beëindigd: blijft in de feed).",
            "empty_values": "Optionele velden zonder waarde ontbreken; nooit null of lege tekst.",
        },
    }
