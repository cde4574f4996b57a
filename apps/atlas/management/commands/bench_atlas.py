"""Print the atlas recompute time and the pages' server-side p50/p95."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.atlas.bench import PAGE_NAMES, PAGE_TARGET_MS, AtlasBench, Baseline, run_bench

#: Issue #15's target for the whole recomputation on the full data, in seconds.
TARGET_S = 60.0


class Command(BaseCommand):
    help = (
        "Recompute the whole atlas (timed) and time its pages and endpoints server-side, "
        "cold and warm (targets: recompute <= 60 s on the full data, pages p95 <= 100 ms)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--requests", type=int, default=30, help="requests per page (0: no page timed)"
        )
        parser.add_argument(
            "--only",
            action="append",
            choices=PAGE_NAMES,
            metavar="PAGE",
            help=f"time this page only (repeatable); one of: {', '.join(PAGE_NAMES)}",
        )
        parser.add_argument(
            "--pages-only",
            action="store_true",
            help="time the pages only; report the last recomputation's time",
        )
        parser.add_argument(
            "--baseline",
            action="store_true",
            help=(
                "also recompute with the rail times searched pair by pair (the previous "
                "search) in the same process, print the ratio and compare every stored field"
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        requests = int(options["requests"])
        if requests < 0:
            raise CommandError(f"--requests must be 0 or more, not {requests}")
        if options["pages_only"] and options["baseline"]:
            raise CommandError("--pages-only and --baseline exclude each other")
        try:
            result = run_bench(
                requests=requests,
                recompute=not options["pages_only"],
                baseline=bool(options["baseline"]),
                only=tuple(options["only"] or ()),
            )
        except LookupError as error:
            raise CommandError(str(error)) from error
        label = "last recompute" if options["pages_only"] else "recompute"
        verdict = "meets" if result.recompute_s <= TARGET_S else "misses"
        cpu = "" if result.recompute_cpu_s is None else f", CPU {result.recompute_cpu_s:.2f} s"
        self.stdout.write(
            f"{label}: {result.recompute_s:.2f} s for {result.pairs} city pairs{cpu} "
            f"({verdict} the {TARGET_S:.0f} s target)"
        )
        if result.baseline is not None:
            self._write_baseline(result.baseline)
        self._write_pages(result)

    def _write_pages(self, result: AtlasBench) -> None:
        if not result.pages:
            return
        self.stdout.write(
            f"{'page':18} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} "
            f"{'cold/warm':>9} {'CPU cold95':>10} {'CPU warm95':>10}  p95 <= "
            f"{PAGE_TARGET_MS:.0f} ms (ms; cold: the atlas cache dropped before each request; "
            "CPU: this process's)"
        )
        for name, t in result.pages.items():
            verdict = "pass" if t.meets_target else "FAIL"
            self.stdout.write(
                f"{name:18} {t.cold_p50:9.1f} {t.cold_p95:9.1f} {t.warm_p50:9.1f} "
                f"{t.warm_p95:9.1f} {t.ratio:8.1f}x {t.cold_cpu_p95:10.1f} "
                f"{t.warm_cpu_p95:10.1f}  {verdict}"
            )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.stdout.write(
            f"load average after the run (1, 5, 15 min): {load} on {os.cpu_count()} cores"
        )
        passed = sum(t.meets_target for t in result.pages.values())
        self.stdout.write(f"{passed} of {len(result.pages)} pages meet the target cold and warm")
        if result.warm_up is not None:
            answers, duration_ms = result.warm_up
            self.stdout.write(
                f"warm-up after a recomputation: {answers} default answers cached in "
                f"{duration_ms:.0f} ms (runs after each recompute, not in a page request)"
            )

    def _write_baseline(self, baseline: Baseline) -> None:
        self.stdout.write(
            f"  shared searches, cold (day timetables built): {baseline.shared_cold_s:.2f} s\n"
            f"  pair by pair (the previous search), warm:     {baseline.pair_by_pair_s:.2f} s\n"
            f"  shared searches, warm:                        {baseline.shared_s:.2f} s\n"
            f"  ratio pair by pair / shared: {baseline.ratio:.1f}x wall, "
            f"{baseline.cpu_ratio:.1f}x CPU ({baseline.pair_by_pair_cpu_s:.2f} s / "
            f"{baseline.shared_cpu_s:.2f} s)"
        )
        if baseline.differences:
            shown = "; ".join(f"{key} {field}" for key, field in baseline.differences[:10])
            raise CommandError(
                f"the shared search stored {len(baseline.differences)} fields differently "
                f"from the pair-by-pair search: {shown}"
            )
        self.stdout.write(
            f"  stored pairs identical: {baseline.pairs} pairs, every field, 0 differences"
        )
