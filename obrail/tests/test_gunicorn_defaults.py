"""One set of gunicorn defaults: deploy/gunicorn.conf.py, .env.example and compose.yaml agree."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {
    "GUNICORN_WORKERS": "workers",
    "GUNICORN_THREADS": "threads",
    "GUNICORN_TIMEOUT": "timeout",
    "GUNICORN_GRACEFUL_TIMEOUT": "graceful_timeout",
    "GUNICORN_KEEPALIVE": "keepalive",
    "GUNICORN_MAX_REQUESTS": "max_requests",
}


def _config_defaults(monkeypatch) -> dict[str, int]:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    return {name: config[attribute] for name, attribute in SETTINGS.items()}


def test_env_example_gives_the_config_defaults(monkeypatch):
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("GUNICORN_")
    )
    assert {name: int(example[name]) for name in SETTINGS} == _config_defaults(monkeypatch)


def test_compose_and_docs_give_the_config_defaults(monkeypatch):
    defaults = _config_defaults(monkeypatch)
    compose = re.findall(r"\$\{(GUNICORN_\w+):-(\d+)\}", (ROOT / "compose.yaml").read_text())
    documented = re.findall(
        r"`(GUNICORN_\w+)` \((\d+)\)", (ROOT / "docs" / "operations.md").read_text()
    )
    assert {name for name, _ in documented} == set(SETTINGS)
    for name, value in compose + documented:
        assert int(value) == defaults[name], name
