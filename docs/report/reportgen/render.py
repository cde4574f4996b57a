"""Markdown to HTML (markdown-it-py), HTML to PDF (Playwright in Debian's Chromium), PDF checks."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from .capture import CHROMIUM, CHROMIUM_ARGS

SLIDE_BREAK = re.compile(r"^---\s*$", re.MULTILINE)
NOTES_BREAK = re.compile(r"^\?\?\?\s*$", re.MULTILINE)
HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.DOTALL)


def markdown(text: str) -> str:
    """CommonMark with tables and raw HTML (our own sources only)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", re.sub(r"<[^>]+>", "", text))
    plain = plain.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def with_toc(body: str) -> tuple[str, str]:
    """Give ``h2``/``h3`` ids; return the body and a nested table of contents."""
    items: list[str] = []

    def anchor(match: re.Match[str]) -> str:
        level, title = match.group(1), match.group(2)
        slug = _slug(title)
        items.append(f'<li class="toc-h{level}"><a href="#{slug}">{title}</a></li>')
        return f'<h{level} id="{slug}">{title}</h{level}>'

    body = HEADING.sub(anchor, body)
    return body, '<nav class="toc"><h2>Sommaire</h2><ul>' + "".join(items) + "</ul></nav>"


def report_html(text: str, *, title: str, css: str, subtitle: str) -> str:
    """The whole report page: cover, table of contents, chapters."""
    body, toc = with_toc(markdown(text))
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head><body>"
        f'<header class="cover"><p class="kicker">ObRail Europe</p><h1>{html.escape(title)}</h1>'
        f'<p class="subtitle">{subtitle}</p></header>{toc}<main>{body}</main></body></html>'
    )


@dataclass(frozen=True)
class Slide:
    """One slide: its Markdown and its speaker notes."""

    content: str
    notes: str

    @property
    def title(self) -> str:
        match = re.search(r"^#+\s*(.+)$", self.content, re.MULTILINE)
        return match.group(1).strip() if match else ""


def split_slides(text: str) -> list[Slide]:
    """Slides separated by ``---`` lines; notes after a ``???`` line in each."""
    slides = []
    for chunk in SLIDE_BREAK.split(text):
        if not chunk.strip():
            continue
        content, *notes = NOTES_BREAK.split(chunk, maxsplit=1)
        slides.append(Slide(content.strip(), notes[0].strip() if notes else ""))
    return slides


def deck_html(slides: list[Slide], *, css: str, title: str) -> str:
    """One 16:9 page per slide, numbered."""
    sections = "".join(
        f'<section class="slide"><div class="content">{markdown(slide.content)}</div>'
        f"<footer><span>{html.escape(title)}</span><span>{index}/{len(slides)}</span></footer>"
        f"</section>"
        for index, slide in enumerate(slides, start=1)
    )
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head><body>{sections}</body>"
        "</html>"
    )


def notes_html(slides: list[Slide], *, css: str, title: str) -> str:
    """The speaker notes, slide by slide."""
    items = "".join(
        f'<section class="note"><h2>{index}. {html.escape(slide.title)}</h2>'
        f"{markdown(slide.notes)}</section>"
        for index, slide in enumerate(slides, start=1)
    )
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} — notes</title><style>{css}</style></head><body>"
        f"<h1>{html.escape(title)} — notes de l'orateur</h1>{items}</body></html>"
    )


def missing_images(page: str, base: Path) -> list[str]:
    """The ``<img src>`` of an HTML page that are not files under ``base``."""
    sources = re.findall(r'<img[^>]*\ssrc="([^"]+)"', page)
    return [src for src in sources if not (base / src).is_file()]


def print_pdf(pages: list[tuple[Path, Path, dict]]) -> None:
    """Print each HTML file to PDF in Chromium: (html, pdf, ``page.pdf`` options)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        for source, target, options in pages:
            page.goto(source.resolve().as_uri(), wait_until="load")
            page.pdf(path=str(target), print_background=True, **options)
        browser.close()


def pdf_page_count(pdf: Path) -> int:
    """Pages of a PDF, read by poppler's ``pdfinfo``."""
    info = subprocess.run(  # noqa: S603 - fixed program
        ["pdfinfo", str(pdf)],  # noqa: S607 - Debian's poppler-utils
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if not match:
        raise RuntimeError(f"pdfinfo gives no page count for {pdf}")
    return int(match.group(1))


def rasterise(pdf: Path, out_dir: Path, pages: list[int]) -> list[Path]:
    """Render the given pages to PNG with ``pdftoppm``; fail on a blank or missing image."""
    out_dir.mkdir(parents=True, exist_ok=True)
    images = []
    for number in pages:
        prefix = out_dir / f"{pdf.stem}-p{number}"
        page = ["-f", str(number), "-l", str(number), "-singlefile"]
        command = ["pdftoppm", "-png", "-r", "40", *page, str(pdf), str(prefix)]
        subprocess.run(command, check=True)  # noqa: S603 - Debian's poppler-utils, our files
        image = prefix.with_suffix(".png")
        if not image.exists() or image.stat().st_size < 2000:
            raise RuntimeError(f"page {number} of {pdf.name} did not render ({image})")
        images.append(image)
    return images


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder's files (stylesheets, images) next to the HTML."""
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
