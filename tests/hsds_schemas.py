"""Validate documents against the official HSDS 3.0 and Open Referral UK 3.0 JSON schemas.

The schema files are copied as test fixtures (tests/fixtures/hsds/, see SOURCE.md). They
refer to each other by file name, so each set is registered under the base URI its
publisher uses and a document is validated against `{"$ref": BASE + "service.json"}` with
Draft 2020-12 and its format checker, as the official tooling does. `strict=True` also sets
`additionalProperties: false` on every object schema, like the HSDS specification's own CI
(`compiletojsonschema --set-additional-properties-false-everywhere`).
"""

import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FIXTURES = Path(__file__).parent / "fixtures" / "hsds"
SETS = {
    "hsds": (
        "hsds-3.0",
        "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/",
    ),
    "oruk": ("oruk-3.0", "https://openreferraluk.org/specifications/3.0/schemata/"),
}
# (schema set, strict): the three ways the issue measures; ORUK strict is reported only,
# because ORUK 3.0 leaves out HSDS fields we must publish (service phones, for one).
MODES = [("hsds", False), ("hsds", True), ("oruk", False)]
ALL_MODES = [*MODES, ("oruk", True)]


def close_objects(schema):
    """A copy of schema with additionalProperties false on every object that lists properties."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


@cache
def registry(schema_set, strict):
    folder, base = SETS[schema_set]
    resources = []
    for path in sorted((FIXTURES / folder).glob("*.json")):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        if strict:
            contents = close_objects(contents)
        resources.append((base + path.name, Resource(contents, specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(kind="service", schema_set="hsds", strict=False):
    """A Draft 2020-12 validator for one HSDS object kind ("service", "taxonomy", ...)."""
    _folder, base = SETS[schema_set]
    return Draft202012Validator(
        {"$ref": base + f"{kind}.json"},
        registry=registry(schema_set, strict),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def errors(document, kind="service", schema_set="hsds", strict=False):
    """Every schema error in document, as "path: message" strings (empty when it validates)."""
    found = validator(kind, schema_set, strict).iter_errors(document)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '.'}: {e.message}" for e in found)


def count_valid(documents, kind="service"):
    """{(schema set, strict): (valid, total, distinct errors)} over documents."""
    result = {}
    for schema_set, strict in ALL_MODES:
        valid, distinct = 0, set()
        for document in documents:
            found = errors(document, kind, schema_set, strict)
            valid += not found
            # Path without list indexes: one kind of error counts once.
            distinct.update(
                "/".join(p for p in e.split(": ", 1)[0].split("/") if not p.isdigit())
                + ": "
                + e.split(": ", 1)[1][:80]
                for e in found
            )
        result[(schema_set, strict)] = (valid, len(documents), sorted(distinct))
    return result
