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
from obrail.client_ip import client_ip, is_trusted_proxy, parse_address
from obrail.errors import InvalidInput

logger = logging.getLogger(__name__)


def _has_bearer_token(request: HttpRequest, expected: str) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


def is_metrics_client(request: HttpRequest) -> bool:
    """Whether ``request`` may read ``/metrics``.

    Allowed: a request bearing ``METRICS_TOKEN``, or one whose client address is in
    ``METRICS_ALLOWED_NETWORKS`` and that came straight from it. A request relayed by a proxy
    that is not trusted (it carries ``X-Forwarded-For`` but its peer is not in
    ``TRUSTED_PROXIES``) is never allowed by network: its socket address is the proxy's, maybe
    on loopback, not the client's.
    """
    if _has_bearer_token(request, settings.METRICS_TOKEN):
        return True
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if "X-Forwarded-For" in request.headers and (peer is None or not is_trusted_proxy(peer)):
        return False
    address = client_ip(request)
    return address is not None and any(
        address in network for network in settings.METRICS_ALLOWED_NETWORKS
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition: every gunicorn worker's metrics merged, plus business metrics."""
    if not is_metrics_client(request):
        response = JsonResponse(
            {"errors": {"authorization": ["a bearer token or an allowed network is required"]}},
            status=403,
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
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
