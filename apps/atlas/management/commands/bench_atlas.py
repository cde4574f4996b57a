"""Print the atlas recompute time and the pages' server-side p50/p95."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.atlas.bench import run_bench


class Command(BaseCommand):
    help = (
        "Recompute the whole atlas (timed) and time its pages and endpoints server-side "
        "(targets: recompute <= 60 s on the full data, pages p95 <= 100 ms)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30, help="requests per page")
        parser.add_argument(
            "--pages-only",
            action="store_true",
            help="time the pages only; report the last recomputation's time",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = run_bench(
                requests=int(options["requests"]), recompute=not options["pages_only"]
            )
        except LookupError as error:
            raise CommandError(str(error)) from error
        label = "last recompute" if options["pages_only"] else "recompute"
        self.stdout.write(f"{label}: {result.recompute_s:.2f} s for {result.pairs} city pairs")
        for name, (median, p95) in result.pages.items():
            self.stdout.write(f"{name:24} p50 {median:7.1f} ms   p95 {p95:7.1f} ms")
