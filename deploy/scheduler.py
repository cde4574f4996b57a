"""Run the commands of a crontab file on schedule, in the foreground (the ETL scheduler).

``python deploy/scheduler.py deploy/cron/crontab``: each non-comment line is five cron fields
(UTC) and a command, run without a shell as the container's unprivileged user, its output
passed through to the container's log. A run still going when its next time comes is not
started twice; a run delayed by less than an hour (a busy or suspended host) still runs, once.
Every minute the scheduler touches ``HEARTBEAT_FILE``: the container's health check fails
when it is older than two minutes (``--check``). Scheduling is APScheduler's (PyPI,
maintained), the cron syntax its ``CronTrigger``.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

logger = logging.getLogger("obrail.scheduler")

#: How late a run may start after its time, in seconds.
MISFIRE_GRACE_SECONDS = 3600
#: Touched every minute while the scheduler runs; the health check reads its age.
HEARTBEAT_FILE = Path("/tmp/obrail-scheduler.heartbeat")  # noqa: S108
HEARTBEAT_MAX_AGE_SECONDS = 120


@dataclass(frozen=True)
class CronEntry:
    """One crontab line: its schedule and its command."""

    schedule: str
    command: tuple[str, ...]


def parse_crontab(text: str) -> list[CronEntry]:
    """Parse crontab lines (five fields, then the command); refuse a malformed line."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(None, 5)
        if len(fields) < 6:
            raise ValueError(f"crontab line {number}: expected 5 time fields and a command")
        schedule = " ".join(fields[:5])
        try:
            CronTrigger.from_crontab(schedule, timezone="UTC")
        except ValueError as error:
            raise ValueError(f"crontab line {number}: {error}") from error
        entries.append(CronEntry(schedule=schedule, command=tuple(shlex.split(fields[5]))))
    return entries


def run_command(command: tuple[str, ...]) -> int:
    """Run one scheduled command, log its exit status and duration, return the status."""
    started = time.monotonic()
    logger.info("scheduled command started: %s", " ".join(command))
    status = subprocess.run(command, check=False).returncode  # noqa: S603
    level = logging.INFO if status == 0 else logging.ERROR
    logger.log(
        level,
        "scheduled command finished: %s, exit %d after %.1f s",
        " ".join(command),
        status,
        time.monotonic() - started,
    )
    return status


def beat(path: Path = HEARTBEAT_FILE) -> None:
    """Record that the scheduler is alive."""
    path.touch()


def is_alive(path: Path = HEARTBEAT_FILE, *, now: float | None = None) -> bool:
    """Whether the heartbeat is younger than ``HEARTBEAT_MAX_AGE_SECONDS``."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age < HEARTBEAT_MAX_AGE_SECONDS


def build_scheduler(entries: list[CronEntry]) -> BlockingScheduler:
    """A scheduler holding one job per entry, in UTC, never running a job twice at once,
    and the heartbeat job."""
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(beat, "interval", minutes=1, next_run_time=datetime.now(UTC))
    for entry in entries:
        scheduler.add_job(
            run_command,
            CronTrigger.from_crontab(entry.schedule, timezone="UTC"),
            args=[entry.command],
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    return scheduler


def main(argv: list[str]) -> int:
    """Schedule the crontab file named on the command line and run until stopped; with
    ``--check``, exit 0 when a running scheduler's heartbeat is fresh (the health check)."""
    if argv[1:] == ["--check"]:
        return 0 if is_alive() else 1
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if len(argv) != 2:
        sys.stderr.write("usage: scheduler.py CRONTAB | --check\n")
        return 2
    entries = parse_crontab(Path(argv[1]).read_text(encoding="utf-8"))
    if not entries:
        sys.stderr.write(f"{argv[1]}: no scheduled command\n")
        return 1
    scheduler = build_scheduler(entries)
    for entry in entries:
        logger.info("scheduled (UTC): %s %s", entry.schedule, " ".join(entry.command))
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
