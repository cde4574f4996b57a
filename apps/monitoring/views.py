"""/metrics, the Alertmanager webhook and the service status page."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from apps.monitoring.metrics import exposition_registry
from apps.monitoring.services import compute_service_status, record_alertmanager_notification
from obrail.errors import InvalidInput

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition: every gunicorn worker's metrics merged, plus business metrics."""
    return HttpResponse(generate_latest(exposition_registry()), content_type=CONTENT_TYPE_LATEST)


def _authentication_error(request: HttpRequest) -> JsonResponse | None:
    """Return the 401/403 response for a missing or wrong bearer token, None when valid."""
    expected = settings.ALERTMANAGER_WEBHOOK_TOKEN
    if not expected:
        logger.warning("alertmanager webhook refused: ALERTMANAGER_WEBHOOK_TOKEN is not set")
        return JsonResponse(
            {"errors": {"authorization": ["webhook disabled: no token is configured"]}},
            status=403,
        )
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        response = JsonResponse(
            {"errors": {"authorization": ["a bearer token is required"]}}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="alertmanager"'
        return response
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        logger.warning("alertmanager webhook refused: wrong token")
        return JsonResponse({"errors": {"authorization": ["invalid token"]}}, status=403)
    return None


@csrf_exempt
@require_POST
def alertmanager_webhook(request: HttpRequest) -> JsonResponse:
    """Record the alerts of an Alertmanager notification as incidents."""
    refused = _authentication_error(request)
    if refused is not None:
        return refused
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return JsonResponse({"errors": {"body": [f"invalid JSON: {error}"]}}, status=400)
    except RecursionError:
        return JsonResponse({"errors": {"body": ["invalid JSON: nested too deeply"]}}, status=400)
    try:
        incidents = record_alertmanager_notification(payload)
    except InvalidInput as error:
        return JsonResponse({"errors": error.errors}, status=400)
    return JsonResponse(
        {"recorded": len(incidents), "firing": sum(i.is_firing for i in incidents)}, status=200
    )


@never_cache
@require_GET
def service_status(request: HttpRequest) -> HttpResponse:
    """The service status page: health, availability and latency, incidents."""
    return render(request, "monitoring/service_status.html", {"status": compute_service_status()})
