"""Create the stack's secrets on first start, one file each, in the compose volume ``secrets``.

Run by the one-shot ``secrets`` service of compose.yaml (``entrypoint.sh init-secrets``)
before anything else. For each secret, a value given in the environment (the optional
``.env``) is written to its file; otherwise a file that exists is kept and a missing one is
filled with a new random value. Services read the files through ``*_FILE`` variables or
``credentials_file``: no secret is in the image, the repository or compose.yaml. Standard
library only; values are never printed.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

#: File name -> environment variable that overrides it.
SECRETS = {
    "secret_key": "SECRET_KEY",
    "postgres_password": "POSTGRES_PASSWORD",
    "grafana_admin_password": "GRAFANA_ADMIN_PASSWORD",
    "alertmanager_webhook_token": "ALERTMANAGER_WEBHOOK_TOKEN",
    "metrics_token": "METRICS_TOKEN",
    "admin_password": "OBRAIL_ADMIN_PASSWORD",
}

#: Random bytes per secret (token_urlsafe: letters, digits, - and _, safe in URLs and YAML).
TOKEN_BYTES = 32


def ensure_secrets(directory: Path, environ: dict[str, str]) -> dict[str, str]:
    """Write or keep every secret file under ``directory``; return what was done to each."""
    directory.mkdir(parents=True, exist_ok=True)
    done = {}
    for name, variable in SECRETS.items():
        path = directory / name
        given = environ.get(variable, "").strip()
        current = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        if given:
            value, done[name] = given, "from the environment"
        elif current:
            done[name] = "kept"
            continue
        else:
            value, done[name] = secrets.token_urlsafe(TOKEN_BYTES), "generated"
        if value != current:
            staging = directory / f".{name}.tmp"
            staging.write_text(value, encoding="utf-8")
            # Readable by the services' own users (postgres, nobody, grafana, obrail): every
            # service mounting the volume can read every file (docs/operations.md, "Install").
            staging.chmod(0o444)
            os.replace(staging, path)
        elif done[name] == "from the environment":
            done[name] = "from the environment, unchanged"
    return done


def main() -> int:
    """Create the secrets under ``$SECRETS_DIR`` (default ``/run/secrets``) and report."""
    directory = Path(os.environ.get("SECRETS_DIR", "/run/secrets"))
    try:
        done = ensure_secrets(directory, dict(os.environ))
    except OSError as error:
        sys.stderr.write(f"cannot write the secrets under {directory}: {error}\n")
        return 1
    for name, action in done.items():
        sys.stdout.write(f"secret {name}: {action}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
