"""Low-level readers: encodings, BOMs, padded CSV, safe zip archives."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import ExtractError

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_LINE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "FileSet",
    "is_ascii_compatible",
    "read_csv_rows",
    "unpadded_chunks",
]

# A zip whose members expand more than this is refused (zip bomb); real feeds stay below 100×
# (the space-padded Renfe feed: 65×).
MAX_COMPRESSION_RATIO = 400
MAX_UNCOMPRESSED_BYTES = 4 * 1024**3
# Longest line read (real feeds: under 1 KB; Renfe's padded lines 350 characters). A longer
# one is refused before it is held in memory (a 36 MB zip can hold a 1 GB line).
MAX_LINE_BYTES = 1024**2

# Encodings in which the bytes 0x20, 0x0D and 0x0A only ever mean space, CR and LF, so line
# padding can be removed before decoding (codec names as ``codecs.lookup`` gives them).
_ASCII_COMPATIBLE = frozenset(
    {"ascii", "utf-8", "utf-8-sig"}
    | {f"cp{page}" for page in range(1250, 1259)}
    | {f"iso8859-{part}" for part in (*range(1, 12), *range(13, 17))}
)
_CHUNK_BYTES = 1 << 20
_PADDED_LINE_END = re.compile(rb" +\n")


class FileSet:
    """The files of a feed given as a folder or a zip archive, opened by base name."""

    def __init__(
        self,
        path: Path,
        *,
        max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
        max_ratio: float = MAX_COMPRESSION_RATIO,
    ) -> None:
        self.path = path
        self._budget = _Budget(max_uncompressed_bytes, path.name)
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if not path.exists():
            raise ExtractError(f"{path}: no such file or folder")
        if path.is_dir():
            self._members = {p.name: str(p) for p in path.iterdir() if p.is_file()}
            return
        try:
            archive = zipfile.ZipFile(path)
            infos = archive.infolist()
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ExtractError(
                f"{path.name}: not a readable zip archive (truncated?): {exc}"
            ) from exc
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio and info.file_size > 1024 * 1024:
                raise ExtractError(
                    f"{path.name}: member {info.filename} expands {ratio:.0f}× "
                    f"(limit {max_ratio:.0f}×): refused as a possible zip bomb"
                )
            base = info.filename.rsplit("/", 1)[-1]
            if base in self._members:
                raise ExtractError(
                    f"{path.name}: {base} is there twice ({self._members[base]} and "
                    f"{info.filename}): refused, which one is the feed's is unknown"
                )
            self._members[base] = info.filename
        if total > max_uncompressed_bytes:
            raise ExtractError(
                f"{path.name}: archive expands to {total} bytes "
                f"(limit {max_uncompressed_bytes}): refused as oversized"
            )
        self._zip = archive

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def open_binary(self, name: str) -> IO[bytes]:
        """Open a member (folder file or zip member) for binary reading."""
        if name not in self._members:
            raise ExtractError(f"{self.path.name}: required file {name} is missing")
        if self._zip is not None:
            try:
                member = self._zip.open(self._members[name])
            except (zipfile.BadZipFile, OSError) as exc:
                raise ExtractError(
                    f"{self.path.name}/{name}: unreadable zip member: {exc}"
                ) from exc
            # Decompressed bytes are counted as they stream, whatever the headers declare.
            return io.BufferedReader(_CountingReader(member, self._budget), _CHUNK_BYTES)
        return open(self._members[name], "rb")

    def close(self) -> None:
        """Release the archive."""
        if self._zip is not None:
            self._zip.close()


class _Budget:
    """Decompressed bytes read from one archive, against its limit."""

    def __init__(self, limit: int, archive: str) -> None:
        self.limit, self.archive, self.used = limit, archive, 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise ExtractError(
                f"{self.archive}: more than {self.limit} bytes decompressed: refused as "
                "oversized (zip bomb?)"
            )


class _CountingReader(io.RawIOBase):
    """A zip member whose decompressed bytes are charged to the archive's budget."""

    def __init__(self, member: IO[bytes], budget: _Budget) -> None:
        self._member, self._budget = member, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._member.read(len(buffer))
        self._budget.spend(len(data))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._member.close()
        super().close()


def _too_long(name: str, line: int) -> ExtractError:
    where = f"{name}: " if name else ""
    return ExtractError(
        f"{where}line {line} is longer than {MAX_LINE_BYTES} bytes: refused (a feed's "
        "lines are short; the file is damaged or hostile)"
    )


def _text_stream(raw: IO[bytes], encoding: str) -> io.TextIOWrapper:
    head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8", "utf-8-sig"} or head.startswith(
        codecs.BOM_UTF8
    ):
        encoding = "utf-8-sig"
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def _unpadded(line: str) -> str:
    """``line.rstrip(" \\r\\n")``, about twice as fast on lines padded with many spaces.

    ``str.rstrip()`` without arguments is fast but also removes tabs and other whitespace;
    its result is kept only when what it removed is spaces followed by the line break.
    """
    stripped = line.rstrip()
    end = len(stripped)
    if line.endswith("\r\n"):
        stop = len(line) - 2
    elif line.endswith(("\n", "\r")):
        stop = len(line) - 1
    else:
        stop = len(line)
    if line.startswith(" " * (stop - end), end):
        return stripped
    return line.rstrip(" \r\n")


def is_ascii_compatible(encoding: str) -> bool:
    """Whether line padding of text in ``encoding`` can be removed at the byte level."""
    try:
        return codecs.lookup(encoding).name in _ASCII_COMPATIBLE
    except LookupError:
        return False


def unpadded_chunks(
    raw: IO[bytes], chunk_bytes: int = _CHUNK_BYTES, *, name: str = ""
) -> Iterator[bytes]:
    """The bytes of ``raw`` with the spaces ending each line removed and every line break
    (CRLF, LF or lone CR) made LF, in chunks that each end with a whole line.

    Same lines as ``line.rstrip(" \\r\\n") + "\\n"`` over universal-newline lines, one line
    out per line in, so line numbers stay right; only for :func:`is_ascii_compatible` text.
    A line longer than ``MAX_LINE_BYTES`` is refused (ExtractError naming ``name``).
    """
    pending = b""
    lines = 0
    while chunk := raw.read(chunk_bytes):
        data = pending + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            # No LF: end at the last CR that cannot be the first half of a CRLF.
            cut = data.rfind(b"\r", 0, len(data) - 1) + 1
        pending = data[cut:]
        if len(pending) > MAX_LINE_BYTES:
            raise _too_long(name, lines + data.count(b"\n", 0, cut) + 1)
        if cut:
            lines += data.count(b"\n", 0, cut)
            yield _unpadded_lines(data[:cut])
    if pending:
        tail = _unpadded_lines(pending)
        yield tail if tail.endswith(b"\n") else tail.rstrip(b" ") + b"\n"


def _bounded_lines(stream: io.TextIOWrapper, name: str) -> Iterator[str]:
    """The lines of ``stream``, refusing one longer than ``MAX_LINE_BYTES`` characters
    before it is read whole."""
    number = 0
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise _too_long(name, number)
        yield line


def _unpadded_lines(data: bytes) -> bytes:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # A substring search is many times faster than the expression's scan of unpadded data.
    return _PADDED_LINE_END.sub(b"\n", data) if b" \n" in data else data


def _decoded_lines(chunks: Iterable[bytes], *, name: str, encoding: str) -> Iterator[str]:
    """Decode unpadded chunks into lines; an undecodable byte is reported with its line.

    As :func:`_text_stream`: UTF-8 (declared, or announced by a BOM) drops the BOM.
    """
    lines_before = 0
    codec = encoding
    for position, chunk in enumerate(chunks):
        if position == 0 and (
            chunk.startswith(codecs.BOM_UTF8)
            or codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}
        ):
            codec = "utf-8-sig"
        try:
            text = chunk.decode(codec)
        except UnicodeDecodeError as exc:
            line = lines_before + exc.object.count(b"\n", 0, exc.start) + 1
            raise _undecodable(name, encoding, line, exc) from exc
        if codec == "utf-8-sig":
            codec = "utf-8"
        lines_before += chunk.count(b"\n")
        yield from io.StringIO(text, newline="")


def _undecodable(name: str, encoding: str, line: int, exc: UnicodeDecodeError) -> ExtractError:
    return ExtractError(
        f"{name}: not valid {encoding} near line {line} "
        f"(byte {exc.object[exc.start : exc.start + 1]!r}); declare the file's encoding "
        '(e.g. encoding = "latin-1") in sources.toml'
    )


def read_csv_rows(
    raw: IO[bytes],
    *,
    name: str,
    delimiter: str = ",",
    encoding: str = "utf-8",
    required: tuple[str, ...] = (),
    strip: bool = True,
) -> Iterator[tuple[int, list[str], list[str]]]:
    """Yield ``(line, header, values)`` for every data row, all cells stripped of spaces.

    The first yielded item carries the header with an empty value list so callers can map
    columns once. ``strip=False`` leaves inner cells as read (callers strip what they use);
    trailing line padding is always removed. Handles BOMs, CRLF, space padding and quoted
    fields with separators.
    Raises ExtractError naming the file and line for undecodable bytes, an empty file or
    missing required columns.
    """
    # Fixed-width feeds pad every line with spaces (Renfe: 350 characters): dropping the
    # padding before the csv module sees it makes parsing several times faster, and doing it
    # on bytes (one regular expression per chunk) is faster still than line by line.
    if is_ascii_compatible(encoding):
        lines = _decoded_lines(unpadded_chunks(raw, name=name), name=name, encoding=encoding)
    else:
        buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
        lines = (
            _unpadded(line) + "\n"
            for line in _bounded_lines(_text_stream(buffered, encoding), name)
        )
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        try:
            header = [cell.strip().lstrip("\ufeff").strip() for cell in next(reader)]
        except StopIteration:
            raise ExtractError(f"{name}: empty file (no header row)") from None
        missing = [column for column in required if column not in header]
        if missing:
            raise ExtractError(
                f"{name}: missing required column(s) {', '.join(missing)} "
                f"(found: {', '.join(h for h in header if h) or 'none'})"
            )
        yield 1, header, []
        for values in reader:
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            cells = [v.strip() for v in values] if strip else values
            yield reader.line_num, header, cells
    except UnicodeDecodeError as exc:
        raise _undecodable(name, encoding, reader.line_num + 1, exc) from exc
    except csv.Error as exc:
        raise ExtractError(f"{name}: malformed CSV near line {reader.line_num}: {exc}") from exc
