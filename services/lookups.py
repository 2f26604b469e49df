"""`field__any_of=[ids]`: membership in a list of values passed as one array parameter.

On PostgreSQL `= ANY(%s)` plans in a fraction of the time of `IN (%s, %s, …)` with hundreds
of parameters; other databases get the plain IN list.

Wrap a long list that several queries of one request use in `Ids`: it is checked and turned
into one PostgreSQL array literal once, not by Django and psycopg for every query (six count
queries over 7,500 ids cost 165 ms of Python at 100k services).
"""

from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup


class Ids:
    """Integer ids, passed to `__any_of` as one array literal made once."""

    def __init__(self, ids):
        self.values = [int(v) for v in ids]

    def __len__(self):
        return len(self.values)

    @cached_property
    def literal(self):
        return "{" + ",".join(map(str, self.values)) + "}"


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Ids):
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.literal]
        return f"{lhs} = ANY(%s)", [*lhs_params, [int(v) for v in self.rhs]]

    def as_sql(self, compiler, connection):
        values = [int(v) for v in getattr(self.rhs, "values", self.rhs)]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def register():
    models.BigAutoField.register_lookup(AnyOf)
    models.BigIntegerField.register_lookup(AnyOf)
    models.ForeignKey.register_lookup(AnyOf)
