"""A self-contained HTML gallery of generated images with blurhash placeholders.

The page is a single file that works from ``file://``: no external scripts, fonts or
styles. Each card reserves its image's aspect ratio and paints the blurhash into a small
``<canvas>`` (decoded in the browser by :func:`blurhash_decoder_js`); the real image sits
on top and fades in once it has loaded. The page's markup, style and scripts are the files in
``static/``, read from the installed package; this module fills in escaped values.

All user-provided text ends up in HTML text or attribute values and is escaped there;
nothing user-provided is ever written inside the ``<script>`` element, so a caption
containing ``</script>`` cannot break the page.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import quote, urlsplit

import attrs

__all__ = [
    "PLACEHOLDER_SIZE",
    "GalleryItem",
    "blurhash_decoder_js",
    "render_gallery",
    "write_gallery",
]

PLACEHOLDER_SIZE = 32
"""Length in pixels of the longer side of the decoded placeholder (scaled up by CSS)."""

FOOTER_NOTE = "placeholders are blurhash, decoded in your browser"


@functools.cache
def _asset(name: str) -> str:
    return (
        resources.files("genmedia.entrypoints").joinpath("static", name).read_text(encoding="utf-8")
    )


def _template(name: str) -> Template:
    return Template(_asset(name))


def blurhash_decoder_js() -> str:
    """The in-browser decoder: JavaScript defining ``decodeBlurhash(hash, w, h, punch)``."""
    return _asset("blurhash.js")


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _relative_path(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    parts = urlsplit(value)
    if not value or parts.scheme or parts.netloc or value.startswith(("/", "\\")):
        raise ValueError(f"src must be a relative path, got {value!r}")


@attrs.frozen(kw_only=True)
class GalleryItem:
    """One image of the gallery: where the file is, its placeholder and what to say about it."""

    src: str = attrs.field(validator=_relative_path)
    """Relative path of the image file from the HTML file, e.g. ``"r1-j2-0.png"``."""
    blurhash: str
    width: int = attrs.field(validator=_positive)
    height: int = attrs.field(validator=_positive)
    caption: str
    """Short line under the image, e.g. ``"request 1 · job 2 · completed"``."""
    detail: str = ""
    """Longer text, e.g. the final prompt or ``"edit of media 3"``."""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _placeholder_size(width: int, height: int) -> tuple[int, int]:
    """The decode size: the longer side is PLACEHOLDER_SIZE, the aspect ratio is kept."""
    if width >= height:
        return PLACEHOLDER_SIZE, max(1, round(PLACEHOLDER_SIZE * height / width))
    return max(1, round(PLACEHOLDER_SIZE * width / height)), PLACEHOLDER_SIZE


def _render_card(item: GalleryItem) -> str:
    canvas_width, canvas_height = _placeholder_size(item.width, item.height)
    detail = f'\n      <div class="detail">{_esc(item.detail)}</div>' if item.detail else ""
    return _template("card.html").substitute(
        src=_esc(quote(item.src, safe="/")),
        blurhash=_esc(item.blurhash),
        title=_esc(item.detail or item.caption),
        width=item.width,
        height=item.height,
        canvas_width=canvas_width,
        canvas_height=canvas_height,
        caption=_esc(item.caption),
        detail=detail,
    )


def _render_body(items: Sequence[GalleryItem]) -> str:
    if not items:
        return '<p class="empty">No images yet.</p>'
    return '<section class="grid">\n' + "".join(map(_render_card, items)) + "</section>"


def render_gallery(title: str, items: Sequence[GalleryItem]) -> str:
    """The full HTML text of a self-contained gallery page."""
    count = len(items)
    return _template("gallery.html").substitute(
        title=_esc(title),
        count=f"{count} image" if count == 1 else f"{count} images",
        body=_render_body(items),
        footer=_esc(FOOTER_NOTE),
        css=_asset("gallery.css"),
        decoder=blurhash_decoder_js(),
        paint=_asset("gallery.js"),
    )


def write_gallery(path: Path, title: str, items: Sequence[GalleryItem]) -> Path:
    """Write the gallery page to ``path`` (creating its folder) and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_gallery(title, items), encoding="utf-8")
    return path
