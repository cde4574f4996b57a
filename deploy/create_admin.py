"""Create the first administrator of a new warehouse (run by ``entrypoint.sh migrate-and-load``).

When no superuser exists yet, creates ``$OBRAIL_ADMIN_USER`` (default ``admin``) with the
password in the file ``$OBRAIL_ADMIN_PASSWORD_FILE`` (the stack's generated secret
``admin_password``, see docs/operations.md). Does nothing once a superuser exists, so a
password changed in the admin stays changed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django


def main() -> int:
    """Create the administrator if there is none; report what was done."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obrail.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        sys.stdout.write("administrator: a superuser exists, nothing to do\n")
        return 0
    username = os.environ.get("OBRAIL_ADMIN_USER") or "admin"
    password = Path(os.environ["OBRAIL_ADMIN_PASSWORD_FILE"]).read_text(encoding="utf-8").strip()
    if not password:
        sys.stderr.write("administrator: the password file is empty\n")
        return 1
    user_model.objects.create_superuser(username=username, email="", password=password)
    sys.stdout.write(f"administrator: created user {username!r} (password in admin_password)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
