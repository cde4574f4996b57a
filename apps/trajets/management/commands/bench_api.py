"""Print p50/p95 server time of the main API queries next to their bare SQL time."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from apps.trajets.bench import RATIO_TARGET, Result, run_benchmark
from apps.trajets.models import Trajet

HEADER = (
    f"{'case':<32} {'cold50':>7} {'cold95':>7} {'SQL50':>7} {'SQL95':>7} {'ratio50':>7} "
    f"{'warm50':>7} {'warm95':>7} {'queries':>7} {'target':>6}  cold/warm/ratio ok"
)


LIVE_HEADER = f" {'live50':>7} {'live95':>7} {'live/cold':>9}"


class Command(BaseCommand):
    help = (
        "Benchmark the API in process (lists with each filter, detail, stats) and print p50/p95 "
        "in ms, with the bare SQL time of the same queries and the ratio."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30, help="timed runs per case")
        parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first")
        parser.add_argument("--only", help="run only the cases whose name contains this text")
        parser.add_argument(
            "--compare-live",
            action="store_true",
            help=(
                "also time each case cold with the typical weeks evaluated from every calendar "
                "instead of the stored flags (live50/live95, live/cold50)"
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["repeat"] < 2 or options["warmup"] < 0:
            raise CommandError("--repeat must be at least 2 and --warmup at least 0")
        count = Trajet.objects.count()
        if not count:
            raise CommandError("no trajets: load some first (manage.py seed_synthetic --trajets N)")
        self.stdout.write(
            f"{count} trajets on {connection.vendor} {connection.settings_dict['NAME']}; "
            f"{options['repeat']} runs per case after {options['warmup']} warm-up runs; "
            "times in ms; cold = count/indicator cache off, warm = on; ratio50 = cold50/SQL50"
        )
        self.compare_live = bool(options["compare_live"])
        self.stdout.write(HEADER + (LIVE_HEADER if self.compare_live else ""))
        results = run_benchmark(
            repeat=options["repeat"],
            warmup=options["warmup"],
            only=options["only"],
            compare_live=self.compare_live,
            report=self._print_result,
        )
        total = len(results)
        self.stdout.write(
            f"p95 within target: {sum(r.meets_targets_cold for r in results)}/{total} cold, "
            f"{sum(r.meets_targets_warm for r in results)}/{total} warm; "
            f"API/SQL p50 ratio ≤ {RATIO_TARGET:g}: {sum(r.meets_ratio for r in results)}/{total}"
        )

    def _print_result(self, r: Result) -> None:
        flags = "/".join(
            "yes" if ok else "NO"
            for ok in (r.meets_targets_cold, r.meets_targets_warm, r.meets_ratio)
        )
        self.stdout.write(
            f"{r.case.name:<32} {r.cold_p50_ms:7.1f} {r.cold_p95_ms:7.1f} {r.sql_p50_ms:7.1f} "
            f"{r.sql_p95_ms:7.1f} {r.ratio_p50:7.2f} {r.warm_p50_ms:7.1f} {r.warm_p95_ms:7.1f} "
            f"{r.queries:7d} {r.case.target_ms:6.0f}  {flags:<17}"
            + (
                f" {r.live_p50_ms:7.1f} {r.live_p95_ms:7.1f} {r.live_ratio_p50:9.2f}"
                if self.compare_live and r.live_p50_ms is not None and r.live_p95_ms is not None
                else ""
            )
        )
