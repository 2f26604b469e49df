"""`field__any_of=[ids]`: membership in a list of values passed as one array parameter.

On PostgreSQL `= ANY(%s)` plans in a fraction of the time of `IN (%s, %s, …)` with hundreds
of parameters; other databases get the plain IN list.
"""

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [int(v) for v in self.rhs]]

    def as_sql(self, compiler, connection):
        values = [int(v) for v in self.rhs]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def register():
    models.BigAutoField.register_lookup(AnyOf)
    models.ForeignKey.register_lookup(AnyOf)
