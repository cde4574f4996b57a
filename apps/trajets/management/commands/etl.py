"""Load the declared rail data sources (or one ad-hoc source) into the harmonised schema."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trajets.etl.errors import EtlError
from apps.trajets.etl.formats import FORMATS
from apps.trajets.etl.loader import LoadReport
from apps.trajets.etl.runner import run_etl, select_sources
from apps.trajets.etl.sources import DATASETS, SourceSpec
from apps.trajets.truth_checks import check_truth, store_truth_report
from apps.trajets.truth_checks.report import summary_lines
from obrail import derived


class _Progress:
    """A live line with rows and rows/s on a terminal, a log line every 5 s otherwise."""

    SPINNER = "|/-\\"

    def __init__(self, stream, is_tty: bool) -> None:
        self.stream = stream
        self.is_tty = is_tty
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = 0

    def __call__(self, phase: str, rows: int) -> None:
        now = time.monotonic()
        rate = rows / max(now - self.started, 1e-6)
        if self.is_tty:
            spinner = self.SPINNER[self.drawn % len(self.SPINNER)]
            self.stream.write(
                f"\r  {spinner} {phase:<9} {rows:>10,} rows  {rate:>9,.0f} rows/s", ending=""
            )
            self.stream.flush()
            self.drawn += 1
        elif now - self.last >= 5:
            self.stream.write(f"  {phase}: {rows} rows, {rate:.0f} rows/s")
            self.last = now

    def reset(self) -> None:
        if self.is_tty and self.drawn:
            self.stream.write("")
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = 0


class Command(BaseCommand):
    help = "Run the ETL: every enabled source of the sources file, or the ones asked for."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            metavar="NAME",
            help="Load only this declared source (repeatable).",
        )
        parser.add_argument("--path", default="", help="Read the source from this file or folder.")
        parser.add_argument("--url", default="", help="Download the source from this URL.")
        parser.add_argument(
            "--format",
            default="",
            choices=["", *sorted(n for n, f in FORMATS.items() if not f.is_observation)],
            help="Format of an ad-hoc source absent from the sources file.",
        )
        parser.add_argument("--name", default="", help="Name of the ad-hoc source.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change and write nothing."
        )
        parser.add_argument(
            "--force", action="store_true", help="Reload inputs whose checksum has not changed."
        )
        parser.add_argument(
            "--set",
            dest="dataset",
            default="",
            choices=["", *DATASETS],
            help=(
                "Source set to load: samples (bundled extracts) or full (complete files under "
                "ETL_FULL_DATA_DIR). Default: the set the warehouse holds, samples when empty."
            ),
        )
        parser.add_argument(
            "--replace-set",
            action="store_true",
            help="Let a source of another set (or a file given by hand) be replaced.",
        )
        parser.add_argument("--sources-file", default="", help="Another sources file.")
        parser.add_argument("--cache-dir", default="", help="Where downloads are cached.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            specs = select_sources(
                sources_file=Path(str(options["sources_file"]) or settings.ETL_SOURCES_FILE),
                names=list(options["source"]),  # type: ignore[arg-type]
                path=str(options["path"]),
                url=str(options["url"]),
                fmt=str(options["format"]),
                name=str(options["name"]),
                dataset=str(options["dataset"]),
            )
            is_tty = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
            progress = _Progress(self.stdout, is_tty)

            def start(spec: SourceSpec) -> None:
                self.stdout.write(f"{spec.name} ({spec.format}, {spec.dataset}) ← {spec.location}")
                progress.reset()

            def report(result: LoadReport) -> None:
                progress.reset()
                self.stdout.write("  " + result.summary())
                if result.observation:
                    self.stdout.write(f"    observation: {result.observation}")
                for code, count in sorted(result.reject_reasons.items()):
                    self.stdout.write(f"    rejected {count:>6} × {code}")

            reports = run_etl(
                specs,
                force=bool(options["force"]),
                dry_run=bool(options["dry_run"]),
                replace_set=bool(options["replace_set"]),
                progress=progress,
                cache_dir=Path(str(options["cache_dir"])) if options["cache_dir"] else None,
                on_start=start,
                on_report=report,
                on_derived=lambda outcomes: self.stdout.write(
                    f"derived data: {derived.summary(outcomes)}"
                ),
            )
        except EtlError as exc:
            raise CommandError(str(exc)) from exc
        if not options["dry_run"] and any(r.has_changes for r in reports):
            # The quality page shows the truth checks of the data it describes.
            truth = check_truth()
            store_truth_report(truth)
            for line in summary_lines(truth):
                self.stdout.write(f"truth: {line}")
        failed = [r.source for r in reports if r.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} source(s) failed: {', '.join(failed)}")
