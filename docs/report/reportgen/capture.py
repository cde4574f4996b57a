"""Real runs the report quotes: the data-quality report, the benchmarks, and the pages.

The pages are those the home page links to, served by ``manage.py runserver`` on the report's
database (bundled samples loaded by the ETL); each is photographed by Playwright in Debian's
Chromium and audited with axe-core at 1280 px and 320 px, as the browser tests do.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

CHROMIUM = Path(os.environ.get("OBRAIL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

#: Short runs of each benchmark command (their own "small/quick" options); a ``bench_*``
#: command not listed here runs with its defaults.
QUICK_BENCH_ARGS: dict[str, list[str]] = {
    "bench_api": ["--repeat", "5", "--warmup", "1"],
    "bench_atlas": ["--requests", "10"],
    "bench_chemostat": ["--repeats", "3", "--grid", "60"],
    "bench_etl": ["data/samples/gtfs/sncf_intercites_2013-12"],
    "bench_models": ["modal-share", "--requests", "100"],
    "bench_routing": ["--queries", "15"],
}
BENCH_TIMEOUT_S = 600
#: Links from the home page that are not pages to photograph.
SKIPPED_PREFIXES = ("/admin", "/api", "/i18n", "/health", "/metrics", "/static")
MAX_PAGES = 16
#: Height of the ``-page`` screenshots (the report's), in CSS pixels, at each width: the page's
#: top past the first screen (a list's first rows); the others (the deck's) are the first screen.
SHOT_HEIGHTS = {"wide": 1350, "narrow": 1100}


def manage(root: Path, env: Mapping[str, str], *args: str, timeout: float = 1800) -> str:
    """Run ``manage.py`` with ``args``; its stdout, or ``RuntimeError`` with its stderr."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=root,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )
    return result.stdout


def bench_commands(root: Path) -> list[str]:
    """Every ``bench_*`` management command of the apps, found on disk."""
    return sorted(path.stem for path in root.glob("apps/*/management/commands/bench_*.py"))


def run_benchmarks(root: Path, env: Mapping[str, str], out_dir: Path) -> dict[str, Any]:
    """Run each benchmark briefly; its output, duration and the arguments used."""
    out_dir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {}
    for command in bench_commands(root):
        args = QUICK_BENCH_ARGS.get(command, [])
        started = time.monotonic()
        output = manage(root, env, command, *args, timeout=BENCH_TIMEOUT_S)
        (out_dir / f"{command}.txt").write_text(output, encoding="utf-8")
        figures[command] = {
            "seconds": round(time.monotonic() - started, 1),
            "args": " ".join(args) or "(défauts)",
            "output": output.rstrip(),
        }
    return figures


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(root: Path, env: Mapping[str, str]) -> Iterator[str]:
    """``runserver`` on a free loopback port until the block ends; its base URL."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=root,
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=5):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("the server stopped at start-up") from None
                time.sleep(0.5)
        else:
            raise RuntimeError("the server did not answer /health within 60 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def page_links(page: Any, base: str) -> list[str]:
    """Same-site page paths linked from the current page, home first, without duplicates."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    paths = ["/"]
    for href in hrefs:
        url = urlparse(urljoin(base + "/", href))
        if url.netloc != urlparse(base).netloc or url.path.endswith((".csv", ".json")):
            continue
        if url.path.startswith(SKIPPED_PREFIXES) or url.path in paths:
            continue
        paths.append(url.path)
    return paths[:MAX_PAGES]


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "accueil"


def capture_pages(base: str, out_dir: Path) -> dict[str, Any]:
    """Screenshots and the axe-core audit of every page the home page links to."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.axe import RUN_AXE, WCAG_TAGS, axe_source, rgaa_criteria

    out_dir.mkdir(parents=True, exist_ok=True)
    pages: list[dict[str, Any]] = []
    version = ""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        wide = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
        narrow = browser.new_page(viewport={"width": 320, "height": 640}, locale="fr-FR")
        wide.goto(base + "/", wait_until="networkidle")
        for path in page_links(wide, base):
            entry: dict[str, Any] = {"path": path, "slug": _slug(path)}
            for key, browser_page in (("wide", wide), ("narrow", narrow)):
                response = browser_page.goto(base + path, wait_until="networkidle")
                if response is None or response.status >= 400:
                    raise RuntimeError(f"{path} answered {response and response.status}")
                browser_page.evaluate(axe_source())
                result = browser_page.evaluate(RUN_AXE, WCAG_TAGS)
                version = result["version"]
                entry[key] = [
                    {"id": v["id"], "impact": v["impact"], "rgaa": rgaa_criteria(v["tags"])}
                    for v in result["violations"]
                ]
            entry["title"] = wide.title().split(" · ")[0].strip() or path
            wide.screenshot(path=str(out_dir / f"{entry['slug']}.png"))
            narrow.screenshot(path=str(out_dir / f"{entry['slug']}-320.png"))
            _screenshot(wide, out_dir / f"{entry['slug']}-page.png", SHOT_HEIGHTS["wide"])
            _screenshot(narrow, out_dir / f"{entry['slug']}-320-page.png", SHOT_HEIGHTS["narrow"])
            pages.append(entry)
        defects = _known_defects(wide, base, [page["path"] for page in pages])
        browser.close()
    (out_dir / "axe.json").write_text(json.dumps(pages, ensure_ascii=False, indent=1), "utf-8")
    return {"pages": pages, "version": version, "known_defects": defects}


def _screenshot(page: Any, path: Path, max_height: int) -> None:
    """The top of the whole page, down to ``max_height`` pixels: below the first screen,
    where a list's first rows are, and no taller than a printed page can show."""
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": min(height, max_height)},
    )


KNOWN_DEFECTS = """() => {
  const heading = [...document.querySelectorAll("h2, h3")]
    .find((h) => h.textContent.includes("Non-conformités connues"));
  const list = heading && heading.nextElementSibling;
  return list && list.tagName === "UL"
    ? [...list.querySelectorAll("li")].map((li) => li.textContent.trim()) : null;
}"""


def _known_defects(page: Any, base: str, paths: list[str]) -> list[str] | None:
    """The known non-conformities listed by the published accessibility statement."""
    statement = next((path for path in paths if "accessibilite" in path), None)
    if statement is None:
        return None
    page.goto(base + statement, wait_until="networkidle")
    return page.evaluate(KNOWN_DEFECTS)
