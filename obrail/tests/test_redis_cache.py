"""With CACHE_URL=redis://..., every app instance counts one throttle budget per client.

Each "instance" is a Django process of its own, configured like an app container, talking to
the local Redis (127.0.0.1:6379, started by .ci/run). The client address is random per test,
so the counts start empty and other users of that Redis are not touched.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache

from obrail.cache_backends import FallbackRedisCache
from obrail.env import parse_cache_url

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"

# Runs in each child: ask the API's anonymous throttle N times for one client address.
INSTANCE = r"""
import json
import sys

import django

django.setup()
from django.conf import settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from obrail.throttling import AnonThrottle

address, attempts = sys.argv[1], int(sys.argv[2])
request = Request(APIRequestFactory().get("/api/trajets/", REMOTE_ADDR=address))
allowed = [AnonThrottle().allow_request(request, None) for _ in range(attempts)]
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "allowed": allowed}))
"""


@pytest.fixture(scope="module")
def redis_available() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(16)
    except OSError as error:
        answer = f"{error}".encode()
    if not answer.startswith(b"+PONG"):
        message = f"no Redis on 127.0.0.1:6379 ({answer!r}): start redis-server"
        if os.environ.get("OBRAIL_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _instance(address: str, attempts: int) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "obrail.settings",
        "DEBUG": "true",
        "CACHE_URL": REDIS_URL,
        "API_THROTTLE_ANON": "5/minute",
    }
    result = subprocess.run(
        [sys.executable, "-c", INSTANCE, address, str(attempts)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_app_instances_share_one_throttle_budget(redis_available):
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    first = _instance(address, 3)
    second = _instance(address, 3)

    assert first["backend"] == "obrail.cache_backends.FallbackRedisCache"
    assert first["allowed"] == [True, True, True]
    # The second process sees the first one's three requests: 5/minute leaves two.
    assert second["allowed"] == [True, True, False]


def test_redis_cache_url_selects_djangos_redis_backend_with_its_fallback():
    assert parse_cache_url("redis://redis:6379/0") == {
        "BACKEND": "obrail.cache_backends.FallbackRedisCache",
        "LOCATION": "redis://redis:6379/0",
    }
    assert issubclass(FallbackRedisCache, RedisCache)


def test_redis_cache_is_shared_across_clients(redis_available):
    key = f"test-{uuid.uuid4().hex}"
    writer, reader = FallbackRedisCache(REDIS_URL, {}), FallbackRedisCache(REDIS_URL, {})

    writer.set(key, {"value": 1}, 30)

    assert reader.get(key) == {"value": 1}
    assert not reader.is_degraded
    reader.delete(key)


def test_unreachable_redis_falls_back_to_memory_and_reports_it(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    cache = FallbackRedisCache(f"redis://127.0.0.1:{closed_port}/0", {})

    cache.set("key", "value", 60)

    assert cache.is_degraded
    assert cache.get("key") == "value"
    assert cache.incr(cache.add("counter", 1) and "counter") == 2
    assert [r.getMessage() for r in caplog.records].count(
        "redis cache unreachable, serving from memory for 30 s: set failed with ConnectionError"
    ) == 1
