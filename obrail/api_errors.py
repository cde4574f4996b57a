"""One error schema for the whole API: ``{"errors": {"<parameter>": ["message", ...]}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from obrail.budget import BudgetExceeded, ComputeBusy
from obrail.compute import budget_message
from obrail.errors import ComputationFailed, InvalidInput

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
FORBIDDEN = error_response(
    "Credentials refused (wrong user name or password), or a write without staff rights",
    {"detail": ["Nom d'utilisateur et/ou mot de passe non valide(s)."]},
)
THROTTLED = error_response(
    "Too many requests from this client, or too many failed logins (see Retry-After)",
    {"detail": ["Request was throttled."]},
)
TOO_EXPENSIVE = error_response(
    "Valid input the computation could not finish: cut by its CPU or wall-clock budget, or "
    "the solver failed",
    {
        "detail": [
            "Calcul interrompu : il dépasse le budget de 3 s de durée. Réduisez l'horizon, le "
            "nombre de points ou d'espèces, ou la taille de la grille."
        ]
    },
)
COMPUTE_BUSY = error_response(
    "Every compute process is busy (retry after Retry-After seconds)",
    {"detail": ["Tous les calculateurs sont occupés : réessayez dans quelques secondes."]},
)
#: Responses of every endpoint that computes, for ``extend_schema``.
COMPUTE_ERRORS = {422: TOO_EXPENSIVE, 429: THROTTLED, 503: COMPUTE_BUSY}
#: Seconds a client is asked to wait when every compute process is busy.
BUSY_RETRY_AFTER_S = 5


class _Unprocessable(exceptions.APIException):
    status_code = 422
    default_detail = "Unprocessable input."


class _Busy(exceptions.APIException):
    status_code = 503
    default_detail = "Busy."


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
    if isinstance(exc, ComputationFailed):
        exc = _Unprocessable(exc.errors)
    elif isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, BudgetExceeded):
        exc = _Unprocessable({NON_FIELD_KEY: [budget_message(exc)]})
    elif isinstance(exc, ComputeBusy):
        exc = _Busy({NON_FIELD_KEY: [budget_message(exc)]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": _as_lists(response.data)}
    if isinstance(exc, _Busy):
        response["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response
