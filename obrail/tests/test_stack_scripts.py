"""The compose stack's helper scripts: secrets made on first start, the ETL scheduler."""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", DEPLOY_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


init_secrets = _load("init_secrets")
scheduler = _load("scheduler")


def test_first_start_generates_every_secret_readable_and_distinct(tmp_path):
    done = init_secrets.ensure_secrets(tmp_path, {})

    assert set(done.values()) == {"generated"}
    values = {name: (tmp_path / name).read_text() for name in init_secrets.SECRETS}
    assert len(set(values.values())) == len(values)
    assert all(len(value) >= 40 for value in values.values())
    assert all((tmp_path / name).stat().st_mode & 0o777 == 0o444 for name in values)


def test_later_starts_keep_the_secrets(tmp_path):
    init_secrets.ensure_secrets(tmp_path, {})
    before = (tmp_path / "secret_key").read_text()

    done = init_secrets.ensure_secrets(tmp_path, {})

    assert set(done.values()) == {"kept"}
    assert (tmp_path / "secret_key").read_text() == before


def test_a_value_from_the_environment_overrides_the_generated_one(tmp_path):
    init_secrets.ensure_secrets(tmp_path, {})

    done = init_secrets.ensure_secrets(tmp_path, {"POSTGRES_PASSWORD": "chosen-in-dot-env"})

    assert done["postgres_password"] == "from the environment"
    assert (tmp_path / "postgres_password").read_text() == "chosen-in-dot-env"
    assert done["secret_key"] == "kept"


def test_parses_the_deployed_crontab():
    entries = scheduler.parse_crontab((DEPLOY_DIR / "cron/crontab").read_text())

    assert entries == [
        scheduler.CronEntry(schedule="30 2 * * *", command=("python", "/app/manage.py", "etl")),
        scheduler.CronEntry(
            schedule="15 * * * *", command=("python", "/app/manage.py", "rebuild_derived")
        ),
    ]


def test_refuses_a_malformed_crontab_line():
    with pytest.raises(ValueError, match="line 2: expected 5 time fields"):
        scheduler.parse_crontab("# comment\n30 2 *\n")
    with pytest.raises(ValueError, match=r"line 1: .*maximum value"):
        scheduler.parse_crontab("61 2 * * * python manage.py etl\n")


def test_scheduled_command_runs_and_its_exit_status_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="obrail.scheduler")

    status = scheduler.run_command((sys.executable, "-c", "raise SystemExit(3)"))

    assert status == 3
    assert "exit 3" in caplog.records[-1].getMessage()
    assert caplog.records[-1].levelno == logging.ERROR


def test_scheduler_jobs_fire_on_the_crontab_times_in_utc():
    entries = scheduler.parse_crontab("30 2 * * * python manage.py etl\n")
    built = scheduler.build_scheduler(entries)
    job = next(j for j in built.get_jobs() if j.func is scheduler.run_command)

    assert str(job.trigger) == "cron[month='*', day='*', day_of_week='*', hour='2', minute='30']"
    assert job.max_instances == 1


def test_health_check_follows_the_heartbeat(tmp_path):
    heartbeat = tmp_path / "heartbeat"
    assert scheduler.is_alive(heartbeat) is False

    scheduler.beat(heartbeat)

    assert scheduler.is_alive(heartbeat) is True
    later = time.time() + scheduler.HEARTBEAT_MAX_AGE_SECONDS + 1
    assert scheduler.is_alive(heartbeat, now=later) is False


create_admin = _load("create_admin")


@pytest.mark.django_db
def test_first_start_creates_the_administrator_from_the_secret_file(tmp_path, monkeypatch):
    from django.contrib.auth import get_user_model

    password_file = tmp_path / "admin_password"
    password_file.write_text("generated-" + "x" * 30)
    monkeypatch.setenv("OBRAIL_ADMIN_PASSWORD_FILE", str(password_file))
    monkeypatch.setenv("OBRAIL_ADMIN_USER", "chief")

    assert create_admin.main() == 0

    user = get_user_model().objects.get(username="chief")
    assert user.is_superuser
    assert user.check_password("generated-" + "x" * 30)


@pytest.mark.django_db
def test_no_administrator_is_created_once_a_superuser_exists(tmp_path, monkeypatch):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser(username="existing", password="x" * 20)
    password_file = tmp_path / "admin_password"
    password_file.write_text("another-" + "y" * 30)
    monkeypatch.setenv("OBRAIL_ADMIN_PASSWORD_FILE", str(password_file))

    assert create_admin.main() == 0

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["existing"]
