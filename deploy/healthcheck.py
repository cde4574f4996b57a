"""Container health check: GET /health on the local gunicorn, exit 1 unless it answers 200.

Run by the image's HEALTHCHECK with the standard library only (the slim image has no curl).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    """Return 0 when /health answers 200 within the timeout, 1 otherwise."""
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health"
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        sys.stderr.write(f"health check failed: {url}: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
