"""The OpenAPI schema generator of the API (``DEFAULT_SCHEMA_CLASS``): what every operation
shares, stated once so that the schema says what the server does (schemathesis checks it).

- Public reads accept anonymous requests: their security lists ``{}`` besides the schemes.
- Every operation may answer 401 (credentials refused, or a write without them), 403 (a write
  without staff rights) and 429 (throttled, or a locked-out login); operations with
  parameters 400, those with a path parameter 404; all in the one error schema. Any GET may
  also meet gunicorn's 414 (request line too long), documented as such.
- Filter parameters carry the bounds, lengths and patterns their form fields enforce; text
  filters accept the empty value, which the filters read as "no filter" (HTML forms send
  empty fields); numbers do not (:func:`obrail.api.filters.filter_errors`); no text takes
  a NUL character.
- 422 documents the answer to well-formed input the data or a rule across parameters refuses
  (``obrail.errors.UnprocessableInput``) on every operation with parameters.
- Lists of nested objects carry their ``min_length``/``max_length`` as minItems/maxItems.
- A serializer's ``schema_extra`` (rules across its fields) is merged into its component.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi
from rest_framework import permissions, serializers

from obrail.api_errors import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    THROTTLED,
    UNAUTHENTICATED,
    UNPROCESSABLE,
)
from obrail.permissions import ReadOnlyOrStaff

#: Responses every operation documents unless it states its own.
SHARED_ERRORS = {"401": UNAUTHENTICATED, "403": FORBIDDEN, "429": THROTTLED}
#: Answered by gunicorn before the app (``limit_request_line``), as an HTML page.
URI_TOO_LONG = {
    "description": "Request line longer than the server reads (gunicorn: 4,094 bytes); "
    "answered by the server, before the API, as an HTML page"
}
#: Text without a NUL character (Django refuses it in every form field).
NO_NUL_PATTERN = r"^[^\x00]*$"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the API's shared answers and parameter rules."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        is_public_read = self.method in permissions.SAFE_METHODS and any(
            isinstance(permission, ReadOnlyOrStaff) for permission in self.view.get_permissions()
        )
        if is_public_read and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        shared = dict(SHARED_ERRORS)
        if self._has_parameters():
            shared["400"] = BAD_REQUEST
            shared["422"] = UNPROCESSABLE
        if "{" in self.path:
            shared["404"] = NOT_FOUND
        for code, response in shared.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    response, code, media_types=["application/json"], direction=direction
                )
        if self.method == "GET":
            responses.setdefault("414", URI_TOO_LONG)
        return responses

    def _has_parameters(self) -> bool:
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        return has_query or self.method in {"POST", "PUT", "PATCH"}

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_filter_parameters()
        filters = _filters_of(self.view)
        for parameter in parameters:
            filter_ = filters.get(parameter["name"])
            if filter_ is not None:
                parameter["schema"] = _filter_schema(filter_, dict(parameter["schema"]))
        return parameters

    def _map_serializer(
        self, serializer: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        extra = getattr(serializer, "schema_extra", None)
        if extra and direction == "request":
            schema = {**schema, **extra}
        return schema

    def _map_serializer_field(
        self, field: serializers.Field, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            if field.min_length is not None:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema


def _filters_of(view: Any) -> dict[str, Any]:
    """The filters of the view's FilterSet, declared or built from ``filterset_fields``."""
    filterset_class = getattr(view, "filterset_class", None)
    queryset = getattr(view, "queryset", None)
    if filterset_class is None and queryset is not None:
        filterset_class = DjangoFilterBackend().get_filterset_class(view, queryset)
    return dict(filterset_class.base_filters) if filterset_class is not None else {}


def _filter_schema(filter_: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of one filter parameter: bounds, lengths and patterns of its field."""
    extra = filter_.extra
    if schema.get("type") in {"integer", "number"}:
        if extra.get("min_value") is not None:
            schema["minimum"] = extra["min_value"]
        if extra.get("max_value") is not None:
            schema["maximum"] = extra["max_value"]
        return schema
    if isinstance(filter_, django_filters.DateFilter):
        return {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
    if "enum" in schema:
        if "" not in schema["enum"]:
            schema["enum"] = [*schema["enum"], ""]
        return schema
    if schema.get("type") == "array":
        return schema
    pattern = getattr(filter_, "schema_pattern", None) or schema.get("pattern")
    schema["pattern"] = f"^$|{pattern}" if pattern else NO_NUL_PATTERN
    if extra.get("max_length") is not None:
        schema["maxLength"] = extra["max_length"]
    return schema
