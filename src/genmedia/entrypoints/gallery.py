"""A self-contained HTML gallery of generated images with blurhash placeholders.

The page is a single file that works from ``file://``: no external scripts, fonts or
styles. Each card reserves its image's aspect ratio and paints the blurhash into a small
``<canvas>`` (decoded in the browser by :data:`BLURHASH_DECODER_JS`); the real image sits
on top and fades in once it has loaded.

All user-provided text ends up in HTML text or attribute values and is escaped there;
nothing user-provided is ever written inside the ``<script>`` element, so a caption
containing ``</script>`` cannot break the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

import attrs

__all__ = [
    "BLURHASH_DECODER_JS",
    "PLACEHOLDER_SIZE",
    "GalleryItem",
    "render_gallery",
    "write_gallery",
]

PLACEHOLDER_SIZE = 32
"""Length in pixels of the longer side of the decoded placeholder (scaled up by CSS)."""

FOOTER_NOTE = "placeholders are blurhash, decoded in your browser"

BLURHASH_DECODER_JS = r"""
function decodeBlurhash(hash, width, height, punch) {
  "use strict";
  var DIGITS =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

  function decode83(start, end) {
    var value = 0;
    for (var k = start; k < end; k++) {
      var digit = DIGITS.indexOf(hash.charAt(k));
      if (digit < 0) {
        throw new Error("blurhash: invalid character " + JSON.stringify(hash.charAt(k)));
      }
      value = value * 83 + digit;
    }
    return value;
  }

  function srgbToLinear(channel) {
    var v = channel / 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }

  function linearToSrgb(value) {
    var v = Math.max(0, Math.min(1, value));
    if (v <= 0.0031308) {
      return Math.floor(v * 12.92 * 255 + 0.5);
    }
    return Math.floor((1.055 * Math.pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
  }

  function signPow(value, exponent) {
    var magnitude = Math.pow(Math.abs(value), exponent);
    return value < 0 ? -magnitude : magnitude;
  }

  if (typeof hash !== "string" || hash.length < 6) {
    throw new Error("blurhash: must be a string of at least 6 characters");
  }
  width = Math.floor(width);
  height = Math.floor(height);
  if (!(width > 0 && height > 0)) {
    throw new Error("blurhash: width and height must be positive");
  }
  if (punch === undefined || punch === null) {
    punch = 1;
  }

  var sizeFlag = decode83(0, 1);
  var numX = (sizeFlag % 9) + 1;
  var numY = Math.floor(sizeFlag / 9) + 1;
  if (hash.length !== 4 + 2 * numX * numY) {
    throw new Error("blurhash: expected " + (4 + 2 * numX * numY) + " characters");
  }
  var maxValue = ((decode83(1, 2) + 1) / 166) * punch;

  var count = numX * numY;
  var colors = new Float64Array(count * 3);
  var dc = decode83(2, 6);
  colors[0] = srgbToLinear(dc >> 16);
  colors[1] = srgbToLinear((dc >> 8) & 255);
  colors[2] = srgbToLinear(dc & 255);
  for (var c = 1; c < count; c++) {
    var ac = decode83(4 + c * 2, 6 + c * 2);
    colors[c * 3] = signPow((Math.floor(ac / 361) - 9) / 9, 2) * maxValue;
    colors[c * 3 + 1] = signPow(((Math.floor(ac / 19) % 19) - 9) / 9, 2) * maxValue;
    colors[c * 3 + 2] = signPow(((ac % 19) - 9) / 9, 2) * maxValue;
  }

  var cosX = new Float64Array(width * numX);
  for (var x = 0; x < width; x++) {
    for (var i = 0; i < numX; i++) {
      cosX[x * numX + i] = Math.cos((Math.PI * x * i) / width);
    }
  }
  var cosY = new Float64Array(height * numY);
  for (var y = 0; y < height; y++) {
    for (var j = 0; j < numY; j++) {
      cosY[y * numY + j] = Math.cos((Math.PI * y * j) / height);
    }
  }

  var pixels = new Uint8ClampedArray(width * height * 4);
  for (var py = 0; py < height; py++) {
    for (var px = 0; px < width; px++) {
      var r = 0;
      var g = 0;
      var b = 0;
      for (var cj = 0; cj < numY; cj++) {
        var basisY = cosY[py * numY + cj];
        for (var ci = 0; ci < numX; ci++) {
          var basis = cosX[px * numX + ci] * basisY;
          var idx = (ci + cj * numX) * 3;
          r += colors[idx] * basis;
          g += colors[idx + 1] * basis;
          b += colors[idx + 2] * basis;
        }
      }
      var out = (py * width + px) * 4;
      pixels[out] = linearToSrgb(r);
      pixels[out + 1] = linearToSrgb(g);
      pixels[out + 2] = linearToSrgb(b);
      pixels[out + 3] = 255;
    }
  }
  return pixels;
}
"""

_PAINT_JS = r"""
(function () {
  var cards = document.querySelectorAll("figure.card[data-blurhash]");
  for (var n = 0; n < cards.length; n++) {
    var card = cards[n];
    var canvas = card.querySelector("canvas");
    var img = card.querySelector("img");
    if (img && img.complete && img.naturalWidth > 0) {
      img.classList.add("loaded");
    }
    if (!canvas || !canvas.getContext) {
      continue;
    }
    try {
      var w = canvas.width;
      var h = canvas.height;
      var data = decodeBlurhash(card.getAttribute("data-blurhash"), w, h, 1);
      var ctx = canvas.getContext("2d");
      var image = ctx.createImageData(w, h);
      image.data.set(data);
      ctx.putImageData(image, 0, 0);
    } catch (err) {
      card.classList.add("no-placeholder");
    }
  }
})();
"""

_CSS = """
:root {
  color-scheme: dark light;
  --bg: #0f1115;
  --fg: #e8eaef;
  --muted: #9aa1ad;
  --card: #181b21;
  --edge: #262a33;
  --well: #20242c;
  --shadow: 0 1px 2px rgba(0, 0, 0, .35), 0 8px 24px rgba(0, 0, 0, .25);
}
@media (prefers-color-scheme: light) {
  :root {
    --bg: #f4f5f7;
    --fg: #16181d;
    --muted: #5d6470;
    --card: #ffffff;
    --edge: #e3e5ea;
    --well: #eceef2;
    --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 8px 24px rgba(16, 24, 40, .08);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", sans-serif;
  font-size: 15px;
  line-height: 1.45;
}
main { max-width: 1280px; margin: 0 auto; padding: 32px 24px 24px; }
header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 24px; }
h1 { font-size: 22px; font-weight: 650; letter-spacing: -.01em; margin: 0; }
.count { color: var(--muted); font-size: 14px; }
.grid {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
  gap: 20px;
  align-items: start;
}
.card {
  margin: 0;
  background: var(--card);
  border: 1px solid var(--edge);
  border-radius: 14px;
  overflow: hidden;
  box-shadow: var(--shadow);
}
.media { position: relative; width: 100%; background: var(--well); overflow: hidden; }
.media canvas, .media img {
  position: absolute;
  inset: 0;
  width: 100%;
  height: 100%;
  display: block;
}
.media img {
  object-fit: cover;
  opacity: 0;
  transition: opacity .45s ease;
}
.media img.loaded { opacity: 1; }
.card.missing .media::after {
  content: "image not found";
  position: absolute;
  left: 10px;
  bottom: 10px;
  padding: 2px 8px;
  border-radius: 999px;
  font-size: 12px;
  color: #fff;
  background: rgba(0, 0, 0, .45);
}
figcaption { padding: 12px 14px 14px; }
.caption { font-size: 14px; font-weight: 600; }
.detail {
  margin-top: 4px;
  color: var(--muted);
  font-size: 13px;
  white-space: pre-line;
  overflow-wrap: anywhere;
  display: -webkit-box;
  -webkit-box-orient: vertical;
  -webkit-line-clamp: 3;
  overflow: hidden;
}
.empty { color: var(--muted); padding: 48px 0; text-align: center; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 28px 0 8px; }
"""


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
    src = _esc(quote(item.src, safe="/"))
    canvas_w, canvas_h = _placeholder_size(item.width, item.height)
    detail = f'\n      <div class="detail">{_esc(item.detail)}</div>' if item.detail else ""
    return (
        f'  <figure class="card" data-src="{src}" data-blurhash="{_esc(item.blurhash)}"'
        f' title="{_esc(item.detail or item.caption)}">\n'
        f'    <div class="media" style="aspect-ratio: {item.width} / {item.height}">\n'
        f'      <canvas width="{canvas_w}" height="{canvas_h}" aria-hidden="true"></canvas>\n'
        f'      <img src="{src}" alt="{_esc(item.caption)}" width="{item.width}"'
        f' height="{item.height}" loading="lazy" decoding="async"'
        " onload=\"this.classList.add('loaded')\""
        " onerror=\"this.parentNode.parentNode.classList.add('missing')\">\n"
        "    </div>\n"
        "    <figcaption>\n"
        f'      <div class="caption">{_esc(item.caption)}</div>{detail}\n'
        "    </figcaption>\n"
        "  </figure>\n"
    )


def render_gallery(title: str, items: Sequence[GalleryItem]) -> str:
    """The full HTML text of a self-contained gallery page."""
    count = len(items)
    count_text = f"{count} image" if count == 1 else f"{count} images"
    if items:
        body = '<section class="grid">\n' + "".join(map(_render_card, items)) + "</section>"
    else:
        body = '<p class="empty">No images yet.</p>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n"
        f"<style>{_CSS}</style>\n"
        "<noscript><style>.media img { opacity: 1; }</style></noscript>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        "<header>\n"
        f"  <h1>{_esc(title)}</h1>\n"
        f'  <span class="count">{count_text}</span>\n'
        "</header>\n"
        f"{body}\n"
        f"<footer>{_esc(FOOTER_NOTE)}</footer>\n"
        "</main>\n"
        f"<script>{BLURHASH_DECODER_JS}{_PAINT_JS}</script>\n"
        "</body>\n"
        "</html>\n"
    )


def write_gallery(path: Path, title: str, items: Sequence[GalleryItem]) -> Path:
    """Write the gallery page to ``path`` (creating its folder) and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_gallery(title, items), encoding="utf-8")
    return path
