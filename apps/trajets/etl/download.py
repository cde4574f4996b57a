"""Download remote sources into a cache with timeouts, retries and conditional requests."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from .errors import DownloadError

__all__ = ["MAX_DOWNLOAD_BYTES", "fetch"]

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 2 * 1024**3
_CHUNK = 1 << 20


def fetch(
    url: str,
    cache_dir: Path,
    *,
    timeout_s: float = 30.0,
    retries: int = 3,
    backoff_s: float = 2.0,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Path:
    """Return a local copy of ``url``, downloading it only when it changed.

    The ETag and Last-Modified of the last download are sent back (``If-None-Match`` /
    ``If-Modified-Since``); a 304 answer reuses the cached file. Network errors and 5xx
    answers are retried with exponential backoff; 4xx answers fail at once.
    """
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"}:
        raise DownloadError(f"{url}: only http and https URLs are supported")
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    suffix = Path(parsed.path).suffix[:8] or ".bin"
    target = cache_dir / f"{key}{suffix}"
    meta_path = cache_dir / f"{key}.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    headers = {"User-Agent": "ObRail-ETL/1.0"}
    if target.exists():
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
                partial = target.with_suffix(target.suffix + ".part")
                size = 0
                with partial.open("wb") as out:
                    while chunk := response.read(_CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise DownloadError(f"{url}: larger than {max_bytes} bytes, refused")
                        out.write(chunk)
                partial.replace(target)
                meta = {
                    "url": url,
                    "etag": response.headers.get("ETag", ""),
                    "last_modified": response.headers.get("Last-Modified", ""),
                }
                meta_path.write_text(json.dumps(meta))
                logger.info("downloaded %s (%d bytes)", url, size)
                return target
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and target.exists():
                logger.info("not modified: %s", url)
                return target
            if exc.code < 500:
                raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
            last_error = exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last_error = exc
        if attempt < retries:
            time.sleep(backoff_s * 2 ** (attempt - 1))
    raise DownloadError(f"{url}: failed after {retries} attempts: {last_error}")
