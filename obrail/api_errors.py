"""One error schema for the whole API: ``{"errors": {"<parameter>": ["message", ...]}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from obrail.errors import InvalidInput

NON_FIELD_KEY = "detail"


class ErrorResponseSerializer(serializers.Serializer):
    """Every API error: messages keyed by the bad parameter (``detail`` when none applies)."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages keyed by parameter name; `detail` for errors not tied to one.",
    )


def error_response(description: str, example: dict[str, list[str]]) -> OpenApiResponse:
    """Build an OpenAPI response documenting the error schema with one example."""
    return OpenApiResponse(
        response=ErrorResponseSerializer,
        description=description,
        examples=[OpenApiExample(description, value={"errors": example})],
    )


BAD_REQUEST = error_response(
    "Invalid parameters", {"kind": ["Sélectionnez un choix valide. « x » n’en fait pas partie."]}
)
NOT_FOUND = error_response("Not found", {"detail": ["Aucun objet ne correspond."]})
THROTTLED = error_response("Too many requests", {"detail": ["Request was throttled."]})


def _as_lists(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        errors: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = NON_FIELD_KEY if key in {"non_field_errors", "__all__"} else str(key)
            errors.setdefault(name, []).extend(_flatten(value))
        return errors
    return {NON_FIELD_KEY: _flatten(detail)}


def _flatten(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [message for item in value for message in _flatten(item)]
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, item in value.items() for message in _flatten(item)]
    return [str(value)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map every handled exception onto the error schema, keeping DRF's status and headers."""
    if isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": _as_lists(response.data)}
    return response
