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
from obrail.compute import budget_message, is_retryable
from obrail.errors import InvalidInput, UnprocessableInput

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
UNAUTHENTICATED = error_response(
    "Credentials refused (wrong user name or password), or a write without credentials",
    {"detail": ["Nom d'utilisateur et/ou mot de passe non valide(s)."]},
)
FORBIDDEN = error_response(
    "A write by a user without staff rights",
    {"detail": ["Vous n'avez pas la permission d'effectuer cette action."]},
)
THROTTLED = error_response(
    "Too many requests from this client, or too many failed logins (see Retry-After)",
    {"detail": ["Request was throttled."]},
)
UNPROCESSABLE = error_response(
    "Input the schema allows but that cannot be processed: a rule across parameters, a value "
    "the data does not know, or a bound that depends on stored data",
    {"operator": ["opérateur inconnu : « xyz »."]},
)
TOO_EXPENSIVE = error_response(
    "Input the schema allows but that cannot be processed: a rule across parameters (named "
    "in the message), a computation cut by its CPU budget, or a solver that failed",
    {
        "detail": [
            "Calcul interrompu : il dépasse le budget de 2 s de temps processeur. Réduisez "
            "l'horizon, le nombre de points ou d'espèces, ou la taille de la grille."
        ]
    },
)
COMPUTE_BUSY = error_response(
    "Every compute process is busy, or the computation ran out of wall-clock time on a loaded "
    "server (retry after Retry-After seconds)",
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
    if isinstance(exc, UnprocessableInput):
        exc = _Unprocessable(exc.errors)
    elif isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, BudgetExceeded | ComputeBusy) and not is_retryable(exc):
        exc = _Unprocessable({NON_FIELD_KEY: [budget_message(exc)]})
    elif isinstance(exc, BudgetExceeded | ComputeBusy):
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
