"""Print p50/p95 server time of the main API queries next to their bare SQL time."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from apps.trajets.bench import RATIO_TARGET, Result, run_benchmark
from apps.trajets.models import Trajet

HEADER = (
    f"{'case':<34} {'API p50':>8} {'API p95':>8} {'SQL p50':>8} {'SQL p95':>8} "
    f"{'ratio50':>7} {'ratio95':>7} {'queries':>7} {'target':>7}  ok"
)


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
            "--no-count-cache",
            action="store_true",
            help="count the rows of every list request anew (cold counts)",
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
            f"count cache {'off' if options['no_count_cache'] else 'on'}; times in ms"
        )
        self.stdout.write(HEADER)
        results = run_benchmark(
            repeat=options["repeat"],
            warmup=options["warmup"],
            count_cache=not options["no_count_cache"],
            only=options["only"],
            report=self._print_result,
        )
        failed = [r.case.name for r in results if not r.meets_targets]
        self.stdout.write(
            f"{len(results) - len(failed)}/{len(results)} cases meet their p95 target and "
            f"API/SQL p50 ratio ≤ {RATIO_TARGET:g}"
            + (f"; missed: {', '.join(failed)}" if failed else "")
        )

    def _print_result(self, r: Result) -> None:
        self.stdout.write(
            f"{r.case.name:<34} {r.api_p50_ms:8.1f} {r.api_p95_ms:8.1f} {r.sql_p50_ms:8.1f} "
            f"{r.sql_p95_ms:8.1f} {r.ratio_p50:7.2f} {r.ratio_p95:7.2f} {r.queries:7d} "
            f"{r.case.target_ms:7.0f}  {'yes' if r.meets_targets else 'NO'}"
        )
