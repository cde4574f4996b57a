"""/health stays fast while expensive computations run concurrently (real threads, real
server): the solver work is in the niced compute children, never in the web threads."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.ecology.tests.test_bounded import STALL
from obrail import compute

#: Generous: the measured figure is ~10 ms (docs/architecture.md); this only catches a stall.
HEALTH_LIMIT_S = 1.0


def _post(url: str, body: dict[str, object]) -> tuple[int, float]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _heavy(index: int) -> dict[str, object]:
    """Six species, 2001 points, 5000 h, at the stiffness bound: a valid case at the top of
    the box, each different (no cache hit)."""
    species = [
        {"law": "haldane", "mu_max": 10.0, "K": 0.6, "Ki": 1.0, "yield": 0.01, "x0": 0.0}
    ] * 5 + [{"law": "monod", "mu_max": 0.5 + index / 100, "K": 1.0, "yield": 0.01, "x0": 0}]
    return {"species": species, "D": 0.01, "s_in": 95.0, "t_end": 5000, "n_points": 2001}


@pytest.mark.django_db(transaction=True)
def test_health_stays_fast_while_ten_stall_and_ten_heavy_requests_run(live_server, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "compute": None},
    }
    compute.reset_pool()
    url = f"{live_server.url}/api/ecology/simulate"
    # A web process serves with its compute children started and its code imported.
    for _ in range(settings.COMPUTE_WORKERS):
        assert _post(url, _heavy(-1))[0] in {200, 422}
    urllib.request.urlopen(f"{live_server.url}/health", timeout=30).close()
    try:
        with ThreadPoolExecutor(max_workers=20) as executor:
            stalls = [executor.submit(_post, url, STALL) for _ in range(10)]
            heavy = [executor.submit(_post, url, _heavy(index)) for index in range(10)]
            time.sleep(0.2)
            health = []
            for _ in range(20):
                started = time.perf_counter()
                with urllib.request.urlopen(f"{live_server.url}/health", timeout=30) as response:
                    assert response.status == 200
                health.append(time.perf_counter() - started)
                time.sleep(0.05)
            stall_answers = [future.result() for future in stalls]
            heavy_answers = [future.result() for future in heavy]
    finally:
        compute.reset_pool()
    assert max(health) < HEALTH_LIMIT_S, health
    assert {status for status, _ in stall_answers} == {400}
    assert max(seconds for _, seconds in stall_answers) < 2.0
    assert {status for status, _ in heavy_answers} <= {200, 422, 503}
    budget_s = settings.COMPUTE_WALL_MS / 1000 + settings.COMPUTE_QUEUE_MS / 1000
    assert max(seconds for _, seconds in heavy_answers) < budget_s + 2.0
