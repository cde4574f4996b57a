"""Time /api/models/{name}/predict server-side and print p50/p95."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.mlregistry.bench import run_bench


class Command(BaseCommand):
    help = "Time the predict endpoint of NAME in-process (target: p95 <= 20 ms)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", default="modal-share")
        parser.add_argument("--requests", type=int, default=500)

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = run_bench(str(options["name"]), requests=int(options["requests"]))
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{result.name} v{result.version}: {result.requests} requests, "
            f"p50 {result.p50_ms:.2f} ms, p95 {result.p95_ms:.2f} ms, max {result.max_ms:.2f} ms "
            f"(target p95 <= 20 ms: {'met' if result.p95_ms <= 20 else 'MISSED'})"
        )
