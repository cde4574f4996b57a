"""Attack suite of issue #21: replays its attack cases against a production-like run, then
fuzzes the whole API with schemathesis, and fails on any wrong answer.

Usage (from the project directory, with the project's virtualenv)::

    .venv/bin/python deploy/attack/attack.py [--max-examples 100] [--seed 1] [--skip-fuzz]

Bounded and loopback only: it creates its own PostgreSQL database (``ATTACK_POSTGRES_URL``,
default the local server as ``postgres``), loads the bundled samples, creates an admin with a
random strong password, and serves the app with gunicorn and ``deploy/gunicorn.conf.py``
(DEBUG off) on ``127.0.0.1`` only, once per configuration:

1. ``SECURE_SSL_REDIRECT=true``: ``/health`` answers 200 (an API URL is redirected).
2. small anonymous rate (10/minute): the 11th wrong admin password within a minute is
   refused even with the right one, by the admin form and by Basic auth; rotating
   ``X-Forwarded-For`` is throttled like any client.
3. the defaults, with rates and the login limit raised so that throttling hides nothing: the
   ecology stall input answers a 4xx within 2 s; while ten of them and ten of the heaviest
   valid simulations run, ``/health`` keeps a p95 under 100 ms and no probe waits behind a
   computation (maximum under 500 ms; computations beyond the host's slots are 503s);
   ``?page=200000000000000000`` is a
   400, a deep-nested JSON body a 400 in JSON, CSV exports neutralise formulas.
4. the same without the host's compute slots (two fuzzing workers would meet their 503):
   schemathesis ``--checks all`` against ``/api/schema`` (``schemathesis.toml`` beside this
   script states the API's 422 for schema-valid input it cannot process).

Every check prints its figure. Processes, the database and the temporary directory are
removed at the end, whatever happens. Exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
STALL_BODY = {
    "species": [{"law": "monod", "mu_max": 1e-12, "K": 1e-12, "yield": 1e-12, "x0": 1e6}],
    "D": 1e-5,
    "s_in": 1e5,
    "t_end": 5000,
}
STALL_LIMIT_S = 2.0
HEALTH_LIMIT_MS = 100.0
CONCURRENT_STALLS = 10
MIN_HEALTH_PROBES = 20
#: No /health probe may wait behind a computation (the heavy ones take about 1 s).
HEALTH_WAIT_LIMIT_MS = 500.0
#: A stored scenario whose longest simulation is the heaviest the bounds allow (~1 s of CPU).
HEAVY_SCENARIO = "auxostat-k10"
LOGIN_FAILURE_LIMIT = 10
HUGE_PAGE = "200000000000000000"
DEEP_JSON_LEVELS = 100_000
FORMULA_STATION = '=HYPERLINK("http://attack.invalid","Gare")'
FORMULA_OPERATOR = "@SUM(1+1) Rail"
ADMIN_NAME = "attack-admin"
START_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 30


class Suite:
    """Checks run so far, printed as they come; the exit status is their conjunction."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, figure: str) -> None:
        """Record and print one check with the figure it was judged on."""
        print(f"attack: {'PASS' if ok else 'FAIL'} {name}: {figure}", flush=True)
        if not ok:
            self.failed.append(name)


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run(command: list[str], env: dict[str, str]) -> None:
    """Run a management command or tool; its failure stops the suite."""
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


@contextlib.contextmanager
def database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped on exit; yields its URL."""
    name = f"obrail_attack_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", admin_url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        print(f"attack: database {name} dropped", flush=True)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], label: str, log_dir: Path) -> Iterator[str]:
    """Serve the app with deploy/gunicorn.conf.py on a loopback port; yields its base URL."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}"}
    multiproc = log_dir / f"prometheus-{label}"
    env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
    log = (log_dir / f"gunicorn-{label}.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own virtualenv's gunicorn)
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "obrail.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn ({label}) exited: see {log.name}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/health", timeout=2).status_code in {200, 503}:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({label}) did not answer in {START_TIMEOUT_S} s")
            time.sleep(0.2)
        print(f"attack: gunicorn ({label}) serving on {base}", flush=True)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def timed(method: str, url: str, **kwargs: Any) -> tuple[requests.Response, float]:
    """One request and its duration in seconds."""
    started = time.perf_counter()
    response = requests.request(method, url, timeout=REQUEST_TIMEOUT_S, **kwargs)
    return response, time.perf_counter() - started


def check_ssl_redirect(suite: Suite, base: str) -> None:
    """With the HTTPS redirect on, /health is still a 200 while the API is redirected."""
    health = requests.get(f"{base}/health", allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    api = requests.get(f"{base}/api/operators", allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    suite.check(
        "/health with SECURE_SSL_REDIRECT=true",
        health.status_code == 200 and api.status_code == 301,
        f"/health {health.status_code}, /api/operators {api.status_code} (redirect on)",
    )


def admin_login(session: requests.Session, base: str, password: str) -> int:
    """Post the admin login form; the status of the answer (302: logged in)."""
    form = session.get(f"{base}/admin/login/", timeout=REQUEST_TIMEOUT_S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    response = session.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": token[1] if token else "",
            "username": ADMIN_NAME,
            "password": password,
            "next": "/admin/",
        },
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_S,
    )
    return response.status_code


def check_lockout(suite: Suite, base: str, password: str) -> None:
    """Ten wrong passwords within a minute lock the account: the right one is then refused."""
    session = requests.Session()
    wrong = [admin_login(session, base, f"wrong-{n}") for n in range(LOGIN_FAILURE_LIMIT)]
    right = admin_login(session, base, password)
    suite.check(
        f"admin form: right password after {LOGIN_FAILURE_LIMIT} wrong ones",
        # The failure that reaches the limit may already answer the lockout.
        all(status == 200 for status in wrong[:-1]) and wrong[-1] in {200, 429} and right == 429,
        f"wrong ones {wrong}, then the right one {right} (429 expected)",
    )
    basic = requests.get(
        f"{base}/api/operators", auth=(ADMIN_NAME, password), timeout=REQUEST_TIMEOUT_S
    )
    suite.check(
        "API Basic auth: right password of the locked-out account",
        basic.status_code == 429
        and int(basic.headers.get("Retry-After", "0")) > 0
        and "connexions échouées" in basic.text,
        f"{basic.status_code} Retry-After {basic.headers.get('Retry-After')} {basic.text[:90]}",
    )


def check_forwarded_for(suite: Suite, base: str, rate: int) -> None:
    """Rotating X-Forwarded-For changes nothing: the socket address is throttled."""
    statuses = []
    for n in range(rate * 3):
        headers = {"X-Forwarded-For": f"198.51.100.{n % 250 + 1}"}
        response = requests.get(f"{base}/api/operators", headers=headers, timeout=10)
        statuses.append(response.status_code)
    served = statuses.count(200)
    throttled = statuses.count(429)
    suite.check(
        "rotating X-Forwarded-For",
        served <= rate and throttled >= len(statuses) - rate,
        f"{served} served, {throttled} throttled of {len(statuses)} requests "
        f"from {len(statuses)} forged addresses (limit {rate}/minute)",
    )


def check_stall(suite: Suite, base: str) -> None:
    """The stall input is refused fast; ten at once leave /health fast."""
    url = f"{base}/api/ecology/simulate"
    response, seconds = timed("POST", url, json=STALL_BODY)
    suite.check(
        "ecology stall input",
        400 <= response.status_code < 500 and seconds <= STALL_LIMIT_S,
        f"{response.status_code} in {seconds:.3f} s (4xx within {STALL_LIMIT_S:g} s)",
    )
    idle_ms = [_health_ms(base) for _ in range(MIN_HEALTH_PROBES)]
    heavy_url = f"{base}/api/ecology/scenarios/{HEAVY_SCENARIO}/simulate"
    health_ms: list[float] = []
    with concurrent.futures.ThreadPoolExecutor(2 * CONCURRENT_STALLS) as pool:
        stalls = [
            pool.submit(timed, "POST", url, json=STALL_BODY) for _ in range(CONCURRENT_STALLS)
        ]
        # Valid work of the largest size the bounds allow (~1 s of CPU each): the pool's
        # children compute at a lower priority, the rest queue or get a 503.
        heavy = [
            pool.submit(timed, "GET", heavy_url, params={"t_end": 100, "n_points": 2001 - n})
            for n in range(CONCURRENT_STALLS)
        ]
        while not all(f.done() for f in stalls + heavy) or len(health_ms) < MIN_HEALTH_PROBES:
            health_ms.append(_health_ms(base))
        answers = [future.result() for future in stalls]
        heavy_answers = [future.result() for future in heavy]
    slowest = max(seconds for _, seconds in answers + heavy_answers)
    # A shared machine has hiccups of its own: the bound is on the p95; the maximum only has
    # to show that no probe waited for a computation (about 1 s each).
    allowed_max = HEALTH_WAIT_LIMIT_MS
    suite.check(
        f"/health while {CONCURRENT_STALLS} stall inputs and {CONCURRENT_STALLS} heavy "
        "computations run",
        _p95(health_ms) < HEALTH_LIMIT_MS
        and max(health_ms) < allowed_max
        and all(400 <= r.status_code < 500 for r, _ in answers)
        and all(r.status_code in {200, 422, 503} for r, _ in heavy_answers),
        f"p95 {_p95(health_ms):.1f} ms, max {max(health_ms):.1f} ms over {len(health_ms)} "
        f"probes (p95 < {HEALTH_LIMIT_MS:g} ms, max < {allowed_max:.0f} ms; idle p95 "
        f"{_p95(idle_ms):.1f}, max {max(idle_ms):.1f} ms); stall answers "
        f"{sorted({r.status_code for r, _ in answers})}, heavy answers "
        f"{sorted(r.status_code for r, _ in heavy_answers)}, slowest {slowest:.3f} s",
    )


def _health_ms(base: str) -> float:
    health, seconds = timed("GET", f"{base}/health")
    return seconds * 1000 if health.status_code == 200 else float("inf")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def check_huge_page(suite: Suite, base: str) -> None:
    """A page number past any integer column is a 400 naming the parameter."""
    figures = []
    ok = True
    for path in ("trajets", "operators", "stations"):
        response = requests.get(
            f"{base}/api/{path}", params={"page": HUGE_PAGE}, timeout=REQUEST_TIMEOUT_S
        )
        ok = ok and response.status_code == 400 and "page" in response.json()["errors"]
        figures.append(f"/api/{path} {response.status_code}")
    suite.check(f"?page={HUGE_PAGE}", ok, ", ".join(figures))


def check_deep_json(suite: Suite, base: str) -> None:
    """A body nested 100,000 deep is a 400 in the API's error schema, not an HTML 500."""
    body = "[" * DEEP_JSON_LEVELS + "]" * DEEP_JSON_LEVELS
    response, seconds = timed(
        "POST",
        f"{base}/api/ecology/simulate",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    suite.check(
        f"JSON body nested {DEEP_JSON_LEVELS:,} deep",
        response.status_code == 400 and is_json and "errors" in response.json(),
        f"{response.status_code} {response.headers.get('Content-Type')} in {seconds:.3f} s",
    )


def csv_cells(base: str, path: str, params: dict[str, str]) -> list[str]:
    """Every cell of a CSV export."""
    response = requests.get(
        f"{base}/api/{path}", params={**params, "format": "csv"}, timeout=REQUEST_TIMEOUT_S
    )
    response.raise_for_status()
    return [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]


def check_csv(suite: Suite, base: str) -> None:
    """Names starting with = or @ are written as text (a leading apostrophe)."""
    for path, params, name in (
        ("stations", {"country": "FR"}, FORMULA_STATION),
        ("operators", {}, FORMULA_OPERATOR),
    ):
        cells = csv_cells(base, path, params)
        suite.check(
            f"CSV export /api/{path}",
            f"'{name}" in cells and name not in cells,
            f"{len(cells)} cells; {name} written as {next((c for c in cells if name in c), None)}",
        )


# The API's contract for schema-valid input (a 422, never a 400, when it cannot be processed).
SCHEMATHESIS_CONFIG = Path(__file__).with_name("schemathesis.toml")


def check_schema_conformance(
    suite: Suite, base: str, *, max_examples: int, seed: int, report_dir: Path
) -> None:
    """schemathesis ``--checks all`` against the whole API: no failure."""
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(SCHEMATHESIS_CONFIG),
        "run",
        f"{base}/api/schema",
        "--checks",
        "all",
        # The coverage phase crashes inside schemathesis 4.32 while generating ecology bodies,
        # before any request ("Inconsistent results", a KeyError in its own schema code): its
        # own bug. The examples, fuzzing and stateful phases run every check.
        "--phases",
        "examples,fuzzing,stateful",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    print("attack: " + " ".join(command), flush=True)
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 (our own virtualenv's schemathesis)
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    (report_dir / "schemathesis.txt").write_text(output)
    summary = re.findall(r"^=+ (.*) =+$", output, flags=re.MULTILINE)
    unique = re.search(r"(\d+) unique failures", output)
    print(output[-6000:] if result.returncode else "", end="", flush=True)
    suite.check(
        f"schemathesis --checks all --max-examples {max_examples} --seed {seed}",
        result.returncode == 0,
        f"{summary[-1] if summary else 'no summary'}"
        f"{f' ({unique[1]} unique failures)' if unique else ''}, "
        f"{time.monotonic() - started:.0f} s, exit {result.returncode}; "
        f"full output in {report_dir / 'schemathesis.txt'}",
    )


def prepare(env: dict[str, str], admin_password: str) -> None:
    """Migrate, load the bundled samples, add the admin and two formula-like names."""
    python = str(BIN / "python")
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([python, "manage.py", "etl"], env)
    run(
        [python, "manage.py", "createsuperuser", "--noinput"],
        {
            **env,
            "DJANGO_SUPERUSER_USERNAME": ADMIN_NAME,
            "DJANGO_SUPERUSER_EMAIL": "attack@example.org",
            "DJANGO_SUPERUSER_PASSWORD": admin_password,
        },
    )
    script = (
        "from apps.trajets.models import Operator, Station\n"
        f"Station.objects.create(name={FORMULA_STATION!r}, country='FR')\n"
        f"Operator.objects.create(code='formula-rail', name={FORMULA_OPERATOR!r})\n"
    )
    run([python, "manage.py", "shell", "-c", script], env)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a CI timeout) unwinds the servers and the database like Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Prepare, attack each configuration, tear down; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-fuzz", action="store_true", help="only the attack cases")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports" / "attack")
    args = parser.parse_args(argv)
    admin_url = os.environ.get("ATTACK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    signal.signal(signal.SIGTERM, _interrupt)
    args.report_dir.mkdir(parents=True, exist_ok=True)
    suite = Suite()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="obrail-attack-"))
    admin_password = secrets.token_urlsafe(24)
    try:
        with database(admin_url) as database_url:
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": f"{HOST},localhost",
                "OBRAIL_VAR_DIR": str(work / "var"),
                "CACHE_URL": "",
                "TRUSTED_PROXIES": "",
                # Plain HTTP on loopback: a real deployment sits behind TLS.
                "SECURE_COOKIES": "false",
                "LOG_LEVEL": "warning",
                "LOG_FORMAT": "text",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_THREADS": "1",
            }
            prepare(env, admin_password)
            print(f"attack: database ready in {time.monotonic() - started:.0f} s", flush=True)

            with gunicorn({**env, "SECURE_SSL_REDIRECT": "true"}, "https-redirect", work) as base:
                check_ssl_redirect(suite, base)

            rate = 10
            limits = {**env, "API_THROTTLE_ANON": f"{rate}/minute"}
            with gunicorn(limits, "small-rate", work) as base:
                check_lockout(suite, base, admin_password)
                check_forwarded_for(suite, base, rate)

            # Throttling and the lockout are checked above; raised here so that the fuzzer
            # reaches the code behind them (429 stays documented on every operation).
            open_env = {
                **env,
                "API_THROTTLE_ANON": "100000/minute",
                "API_THROTTLE_USER": "100000/minute",
                "API_THROTTLE_COMPUTE": "100000/minute",
                "LOGIN_FAILURE_LIMIT": "100000",
            }
            with gunicorn(open_env, "open-rates", work) as base:
                check_stall(suite, base)
                check_huge_page(suite, base)
                check_deep_json(suite, base)
                check_csv(suite, base)
            if not args.skip_fuzz:
                # Two fuzzing workers on two web workers: the host's compute slots (one fewer
                # than the workers, checked above) would answer one of two concurrent
                # computations 503, which schemathesis counts as a server error.
                fuzz_env = {**open_env, "COMPUTE_HOST_SLOTS": "0"}
                with gunicorn(fuzz_env, "fuzz", work) as base:
                    check_schema_conformance(
                        suite,
                        base,
                        max_examples=args.max_examples,
                        seed=args.seed,
                        report_dir=args.report_dir,
                    )
    except KeyboardInterrupt:
        suite.check("run", False, "interrupted")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"attack: {len(suite.failed)} check(s) failed"
        f"{': ' + ', '.join(suite.failed) if suite.failed else ''}; "
        f"{time.monotonic() - started:.0f} s",
        flush=True,
    )
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
