"""``manage reset_login_backoff``: forget every lockout's back-off (run beside ``axes_reset``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from obrail.login_attempts import reset_backoff


class Command(BaseCommand):
    help = (
        "Forget the record of login lockouts, so that no account or client stays refused by "
        "the back-off; axes' own lockouts are lifted by axes_reset."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reset_backoff()
        self.stdout.write("login back-off: every lockout record forgotten")
