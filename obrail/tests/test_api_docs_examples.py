"""Swagger UI's "Try it out" fills each parameter with its first example: no filter may have
one, or the first call of a new user would be silently filtered (issue #17)."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator

FILTERS_WITHOUT_EXAMPLES = ("departure_after", "departure_before", "country", "kind", "date")


def test_no_list_filter_is_pre_filled_in_the_api_docs():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    pre_filled = [
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] in FILTERS_WITHOUT_EXAMPLES
        and ("example" in parameter or "examples" in parameter or "example" in parameter["schema"])
    ]
    assert pre_filled == []
