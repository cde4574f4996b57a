"""HTTP checks of the compose stack through its proxy (called by deploy/stack/verify-stack.sh).

``proxy``: pages, API and static files are served compressed with the app's security headers,
static files with long cache headers (and from the proxy's cache the second time), an
unknown host name is refused and /metrics is not served. ``throttle``: N API requests from
one client, each forging another X-Forwarded-For, get at most LIMIT answers in all, then only
429s, whichever instance served them (per-instance budgets, or a proxy passing the forged
address on, would answer every one). ``login``: the admin login form posted as a browser does
on the published port (CSRF with the port in Host and Origin). Each check prints its
figures. Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import re
import sys
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options")
# Static files are answered by whitenoise before the clickjacking middleware: no frame options.
STATIC_SECURITY_HEADERS = ("content-security-policy", "x-content-type-options")
PAGES = ("/", "/trajets/", "/indicateurs/")
API = "/api/trajets?page_size=50"
THROTTLED_API = "/api/operators"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, lower-cased headers and the raw (maybe compressed) body."""

    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    base: str,
    path: str,
    *,
    host: str = "localhost",
    gzip_ok: bool = True,
    method: str = "GET",
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> Answer:
    """``method`` ``path`` from ``base`` with the given Host header, asking for gzip."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Host": host, "Accept": "text/html,application/json", **(extra or {})}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def check_compressed(
    base: str, path: str, problems: list[str], *, headers: tuple[str, ...] = SECURITY_HEADERS
) -> None:
    """A 200, gzip-encoded, with the app's security ``headers``; print the sizes."""
    answer = fetch(base, path)
    if answer.status != 200:
        problems.append(f"{path}: HTTP {answer.status}")
        return
    if answer.headers.get("content-encoding") != "gzip":
        problems.append(f"{path}: not compressed ({answer.headers.get('content-encoding')})")
        return
    size = len(gzip.decompress(answer.body))
    missing = [h for h in headers if h not in answer.headers]
    if missing:
        problems.append(f"{path}: security headers missing: {', '.join(missing)}")
    print(
        f"  {path:32} 200 gzip {len(answer.body):>7} B (uncompressed {size:>7} B, "
        f"{100 * len(answer.body) / size:.0f} %), {answer.headers.get('content-type')}"
    )


def check_proxy(base: str) -> list[str]:
    """Every check of the proxy; return the problems found."""
    problems: list[str] = []
    for path in (*PAGES, API):
        check_compressed(base, path, problems)
    home = fetch(base, "/").body
    stylesheets = re.findall(rb'href="(/static/[^"]+\.css)"', gzip.decompress(home))
    scripts = re.findall(rb'src="(/static/[^"]+\.js)"', gzip.decompress(home))
    if not stylesheets or not scripts:
        problems.append("the home page links no stylesheet or script under /static/")
    for asset in (*stylesheets[:1], *scripts[:1]):
        path = asset.decode()
        check_compressed(base, path, problems, headers=STATIC_SECURITY_HEADERS)
        again = fetch(base, path)
        cache_control = again.headers.get("cache-control", "")
        max_age = re.search(r"max-age=(\d+)", cache_control)
        if not max_age or int(max_age.group(1)) < 86400:
            problems.append(f"{path}: Cache-Control {cache_control!r}, expected a long max-age")
        if again.headers.get("x-cache-status") != "HIT":
            problems.append(f"{path}: second request not from the proxy cache")
        status = again.headers.get("x-cache-status")
        print(f"  {path:32} Cache-Control: {cache_control}; second request: cache {status}")
    unknown = fetch(base, "/", host="attacker.example")
    if unknown.status != 421:
        problems.append(f"unknown Host header: HTTP {unknown.status}, expected 421")
    metrics = fetch(base, "/metrics")
    if metrics.status != 404:
        problems.append(f"/metrics through the proxy: HTTP {metrics.status}, expected 404")
    print(f"  unknown host: HTTP {unknown.status}; /metrics via the proxy: HTTP {metrics.status}")
    return problems


def check_throttle(base: str, requests: int, limit: int, earlier: int) -> list[str]:
    """``requests`` API calls from one client: at most ``limit`` answered (fewer by up to the
    ``earlier`` API calls this client made in the same minute, counted in the same budget),
    then only 429s. Per-instance budgets would answer all of them; so would a proxy passing on
    a forged ``X-Forwarded-For`` (each request forges another address)."""
    statuses = [
        fetch(base, THROTTLED_API, extra={"X-Forwarded-For": f"203.0.113.{n % 250 + 1}"}).status
        for n in range(requests)
    ]
    answered, throttled = statuses.count(200), statuses.count(429)
    print(
        f"  {requests} requests to {THROTTLED_API}: {answered} answered, {throttled} got 429 "
        f"(budget {limit}/minute per client, {earlier} API request(s) made just before)"
    )
    problems = []
    first_refused = statuses.index(429) if 429 in statuses else len(statuses)
    if not limit - earlier <= answered <= limit:
        problems.append(f"expected {limit - earlier} to {limit} answered: {statuses}")
    if statuses[first_refused:] != [429] * (requests - first_refused):
        problems.append(f"answers after the first 429: {statuses}")
    return problems


def check_admin_login(base: str, password: str) -> list[str]:
    """The admin's login form, posted as a browser does on the published port (Host and
    Origin with the port): Django's CSRF check must pass and the login succeed (302)."""
    parts = urlsplit(base)
    host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    form = fetch(base, "/admin/login/", host=host, gzip_ok=False)
    cookie = re.search(r"csrftoken=([^;]+)", form.headers.get("set-cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    if form.status != 200 or not cookie or not token:
        return [f"/admin/login/: HTTP {form.status}, no CSRF cookie or token"]
    body = urlencode(
        {
            "csrfmiddlewaretoken": token[1].decode(),
            "username": "admin",
            "password": password,
            "next": "/admin/",
        }
    )
    answer = fetch(
        base,
        "/admin/login/?next=/admin/",
        host=host,
        gzip_ok=False,
        method="POST",
        body=body,
        extra={
            "Cookie": f"csrftoken={cookie[1]}",
            "Origin": f"http://{host}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    location = answer.headers.get("location", "")
    print(f"  admin login through the proxy (Host {host}): HTTP {answer.status} → {location}")
    if answer.status != 302 or not location.endswith("/admin/"):
        return [f"admin login: HTTP {answer.status} {answer.body[:200]!r}"]
    return []


def main(argv: list[str] | None = None) -> int:
    """Run one check against the proxy at ``--base``; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    sub = parser.add_subparsers(dest="check", required=True)
    sub.add_parser("proxy")
    throttle = sub.add_parser("throttle")
    throttle.add_argument("--requests", type=int, required=True)
    throttle.add_argument("--limit", type=int, required=True)
    throttle.add_argument("--earlier", type=int, default=0)
    sub.add_parser("login", help="admin login; the password is read from $ADMIN_PASSWORD")
    args = parser.parse_args(argv)
    if args.check == "proxy":
        problems = check_proxy(args.base)
    elif args.check == "login":
        problems = check_admin_login(args.base, os.environ["ADMIN_PASSWORD"])
    else:
        problems = check_throttle(args.base, args.requests, args.limit, args.earlier)
    for problem in problems:
        print(f"  problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
