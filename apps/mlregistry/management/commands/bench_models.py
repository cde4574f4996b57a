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
        predict, baseline = result.predict, result.baseline
        self.stdout.write(f"{result.name} v{result.version}, {result.requests} requests each")
        for label, timing in (("predict", predict), ("/api/models", baseline)):
            self.stdout.write(
                f"  {label:12} p50 {timing.p50_ms:6.2f} ms  p95 {timing.p95_ms:6.2f} ms  "
                f"max {timing.max_ms:6.2f} ms"
            )
        verdict = "met" if predict.p95_ms <= 20 else "MISSED"
        self.stdout.write(
            f"  predict p95 / baseline p95: {predict.p95_ms / baseline.p95_ms:.2f}; "
            f"target predict p95 <= 20 ms: {verdict}"
        )
