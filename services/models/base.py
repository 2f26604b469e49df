"""Shared pieces of the data model: limits, live statuses, domains, slugs."""

import orjson
from django.db import connection, connections, models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

MAX_AGE = 120
# Statuses in which the public sees a service; edits by partners then wait for a curator.
LIVE_STATUSES = ("published", "temporarily_closed")


class Domain(models.TextChoices):
    """The twelve domains that parties in a local coalition come from."""

    MUNICIPALITY = "municipality", _("Gemeente")
    SELF_ORGANISATIONS = "self_organisations", _("Zelforganisaties")
    ENTREPRENEURS = "entrepreneurs", _("Ondernemers")
    INTEGRATION = "integration", _("Integratie")
    DEBT_POVERTY = "debt_poverty", _("Schulden en armoede")
    CARE_WELFARE = "care_welfare", _("Zorg en welzijn")
    HOUSING = "housing", _("Wonen en bouwen")
    ART_CULTURE = "art_culture", _("Kunst en cultuur")
    FAITH = "faith", _("Levensbeschouwing")
    SPORT = "sport", _("Sport en bewegen")
    EDUCATION = "education", _("Onderwijs")
    FINANCIAL = "financial", _("Financiële sector")


def unique_slug(model, value, instance_pk=None, max_length=80):
    """A slug from value that no other row of model uses yet."""
    base = slugify(value)[:max_length].strip("-") or "item"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exclude(pk=instance_pk).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


class VocabularyWord(models.Model):
    """A word of the live services' search columns and how often it occurs there.

    services.vocabulary reads the catalogue's words from this table on PostgreSQL instead
    of scanning every service (seconds at 100k services, after every cache clear). A
    statement trigger (migration 0016) keeps it exact on every write to services_service:
    save(), QuerySet.update(), bulk_create, COPY and delete alike. Never written by Python.
    On SQLite the table stays empty and the words are collected from the services."""

    word = models.TextField(primary_key=True)
    count = models.IntegerField()

    class Meta:
        verbose_name = _("woord van de catalogus")
        verbose_name_plural = _("woorden van de catalogus")

    def __str__(self):
        return self.word


class MunicipalityCount(models.Model):
    """How many live services each municipality has (a service in several counts in each).

    The catalogue's municipality facet shows, for a view without filters or search, these
    counts for all 342 municipalities: counting them from the services took 150-250 ms at
    100k services on every cold cache. Statement triggers (migration 0017) keep the table
    exact on every write to services_service (its status) and to the service-municipality
    table. Never written by Python; on SQLite it stays empty and the counts are made."""

    municipality_id = models.BigIntegerField(primary_key=True)
    live_services = models.IntegerField()

    class Meta:
        verbose_name = _("aantal diensten van een gemeente")
        verbose_name_plural = _("aantallen diensten van gemeenten")

    def __str__(self):
        return f"{self.municipality_id}: {self.live_services}"


class ServiceFacets(models.Model):
    """What the catalogue counts of one service, from other tables, in one row: the ids of
    its terms and municipalities, and its locations' opening periods.

    A municipality's view holds about 2,200 services at 100k (most of them national):
    counting its facets from the five link tables and the opening hours took six queries and
    about 60 ms on every cold page; reading these rows for the view's ids takes one. The
    rules stay where they are: `doc` holds only facts (which term, which period), the
    filters and their counts read it the way the link tables mean it (services.filters,
    criteria.hours_clauses). Statement triggers (migration 0018) keep the table exact on
    every write to services_service, the link tables, services_location and
    services_openingperiod: save(), m2m changes, QuerySet.update(), bulk_create, COPY and
    delete alike. Never written by Python; on SQLite it stays empty and the counts are read
    from the tables themselves.

    doc: [target group ids, support type ids, theme ids, language ids, municipality ids,
    [[ISO weekday, opens, closes], ...]] with times in seconds after midnight, in the order
    of FIELDS (positions, not keys: a third of the text to write and parse; migration 0021).
    Read a field as doc[ServiceFacets.POSITION["themes"]]."""

    FIELDS = (
        "target_groups", "support_types", "themes", "languages", "municipalities", "periods"
    )  # fmt: skip
    POSITION = {name: index for index, name in enumerate(FIELDS)}

    service_id = models.BigIntegerField(primary_key=True)
    doc = models.JSONField()

    class Meta:
        verbose_name = _("feiten van een dienst voor de filters")
        verbose_name_plural = _("feiten van diensten voor de filters")

    def __str__(self):
        return str(self.service_id)

    @classmethod
    def docs_for(cls, ids, extra=None):
        """{service id: doc} for these ids (an Ids), in one query; None on a database
        without the triggers, or when a row is missing (then nothing is trusted). The rows
        come as one JSON array, parsed once: per-row JSON values cost three times as long.

        extra: (SQL, params) of an integer worked out on each service's own row (the
        catalogue's scalar facet bits, services.filters), appended to each doc as its last
        element: read with the docs, the services' rows are visited once."""
        if connection.vendor != "postgresql":
            return None
        where = f"{cls._meta.db_table}.service_id = ANY(%s::bigint[])"
        docs = cls._read(connection, where, [ids.literal], extra)
        return docs if len(docs) == len(ids) else None

    @classmethod
    def docs_of(cls, services, extra=None):
        """{service id: doc} of the services in this queryset that have a row, in one query
        (None on a database without the triggers). Unlike docs_for it cannot tell a missing
        row: a caller looks up what it needs and reads the rest with docs_for."""
        database = connections[services.db]
        if database.vendor != "postgresql":
            return None
        subquery, params = services.order_by().values("pk").query.sql_with_params()
        where = f"{cls._meta.db_table}.service_id IN ({subquery})"
        return cls._read(database, where, list(params), extra)

    @classmethod
    def _read(cls, database, where, params, extra):
        table = cls._meta.db_table
        doc, join, extra_params = f"{table}.doc", "", []
        if extra is not None:
            from .service import Service

            services = database.ops.quote_name(Service._meta.db_table)
            expression, extra_params = extra
            doc = f"{table}.doc || jsonb_build_array({expression})"
            join = f" JOIN {services} ON {services}.id = {table}.service_id"
        with database.cursor() as cursor:
            cursor.execute(
                f"SELECT json_agg(json_build_array({table}.service_id, {doc}))::text "  # noqa: S608
                f"FROM {table}{join} WHERE {where}",
                [*extra_params, *params],
            )
            (rows,) = cursor.fetchone()
        # orjson: the same values as the standard library's parser, in a third of the time
        # (a municipality's 1,873 national docs, 128 kB: about 11 ms with json).
        return dict(orjson.loads(rows)) if rows else {}
