"""``field__any_of=[...]``: ``IN`` with the values as one array parameter on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


@ForeignObject.register_lookup
@Field.register_lookup
class AnyOf(Lookup):
    """Match any of a list of values.

    On PostgreSQL ``column = ANY(%s)`` sends the list as one array parameter: a page's
    thousand station ids no longer make Django build, and psycopg parse, a thousand
    placeholders (about 5 ms per request of 50 trajets). Elsewhere it is ``IN (...)``.
    The array is cast to the column's type: without the cast, ``bigint = ANY(int4[])`` was
    scanned linearly for each row a filter tested (140 ms for ``q=Paris`` on 1M trajets,
    against 21 ms hashed).
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            return "FALSE", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Cast to the column's type: psycopg sends small integers as int2[] or int4[], and
        # PostgreSQL hashes a long array for a row-by-row filter only when the types match.
        element = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{element}[])", [*lhs_params, list(self.rhs)]
