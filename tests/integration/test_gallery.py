"""The HTML gallery page and its in-browser blurhash decoder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import blurhash
import pytest
from PIL import Image, ImageDraw

from genmedia.entrypoints.gallery import (
    GalleryItem,
    blurhash_decoder_js,
    render_gallery,
    write_gallery,
)

HOSTILE = "</script><script>alert(\"x\")</script> & 'quotes' <b>bold</b>"


class _PageParser(HTMLParser):
    """Collects start tags with their attributes and the text of every element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def attrs_of(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]


def _parse(page: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser


def _items() -> list[GalleryItem]:
    return [
        GalleryItem(
            src="r1-j2-0.png",
            blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            width=640,
            height=480,
            caption="request 1 · job 2 · completed",
            detail="a lighthouse at dusk",
        ),
        GalleryItem(
            src="r1-j3-0.png",
            blurhash="LGF5]+Yk^6#M@-5c,1J5@[or[Q6.",
            width=512,
            height=768,
            caption="request 1 · job 3 · completed",
            detail="edit of media 3",
        ),
        GalleryItem(
            src="media/r2-j4-1.png",
            blurhash="L6PZfSi_.AyE_3t7t7R**0o#DgR4",
            width=1024,
            height=1024,
            caption="request 2 · job 4 · failed",
        ),
    ]


def _node() -> str:
    node = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
    if node is None:
        message = "node is not installed; it is needed to run the gallery's JS blurhash decoder"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return node


def _js_decode(node: str, hash_: str, width: int, height: int, punch: float) -> list[int]:
    script = (
        f"(0, eval)({json.dumps(blurhash_decoder_js())});\n"
        f"const pixels = decodeBlurhash({json.dumps(hash_)}, {width}, {height}, {punch});\n"
        "if (!(pixels instanceof Uint8ClampedArray)) throw new Error('not a Uint8ClampedArray');\n"
        "process.stdout.write(JSON.stringify(Array.from(pixels)));\n"
    )
    done = subprocess.run(
        [node, "-e", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result: list[int] = json.loads(done.stdout)
    return result


def _synthetic_image(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height))
    for y in range(height):
        for x in range(width):
            image.putpixel((x, y), (x * 255 // width, y * 255 // height, 180 - x * 3))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(250, 40, 30))
    draw.rectangle((0, height - 4, width // 3, height - 1), fill=(10, 200, 90))
    return image


def test_the_page_escapes_script_tags_and_quotes_in_captions_and_prompts() -> None:
    item = GalleryItem(
        src="a.png",
        blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        width=10,
        height=10,
        caption=HOSTILE,
        detail=HOSTILE,
    )

    page = render_gallery(HOSTILE, [item])

    assert page.count("</script>") == 1
    assert page.lower().count("<script") == 1
    assert "<b>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&#x27;quotes&#x27;" in page
    parsed = _parse(page)
    assert len(parsed.attrs_of("script")) == 1
    assert parsed.attrs_of("b") == []
    assert parsed.texts.count(HOSTILE) >= 4  # <title>, <h1>, caption and detail
    assert parsed.attrs_of("img")[0]["alt"] == HOSTILE


def test_hostile_src_and_blurhash_stay_inside_their_attributes() -> None:
    item = GalleryItem(
        src='x" onerror="alert(1).png',
        blurhash='"><script>alert(1)</script>',
        width=10,
        height=10,
        caption="c",
    )

    page = render_gallery("t", [item])

    parsed = _parse(page)
    assert len(parsed.attrs_of("script")) == 1
    (figure,) = parsed.attrs_of("figure")
    assert figure["data-blurhash"] == item.blurhash
    (img,) = parsed.attrs_of("img")
    assert "alert" not in (img["onerror"] or "")
    assert img["src"] == figure["data-src"]


def test_every_item_src_blurhash_and_canvas_appear_and_no_external_url_is_referenced() -> None:
    items = _items()

    page = render_gallery("Gallery of request 1", items)

    parsed = _parse(page)
    figures = parsed.attrs_of("figure")
    images = parsed.attrs_of("img")
    assert len(parsed.attrs_of("canvas")) == len(items)
    assert [f["data-src"] for f in figures] == [item.src for item in items]
    assert [f["data-blurhash"] for f in figures] == [item.blurhash for item in items]
    assert [i["src"] for i in images] == [item.src for item in items]
    assert all(i.get("loading") == "lazy" and "onload" in i for i in images)
    for item in items:
        assert f"aspect-ratio: {item.width} / {item.height}" in page
    for _tag, attributes in parsed.tags:
        for name in ("src", "href"):
            value = (attributes.get(name) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (name, value)
    assert parsed.attrs_of("link") == []
    assert all("src" not in s for s in parsed.attrs_of("script"))
    assert "placeholders are blurhash, decoded in your browser" in parsed.texts
    assert "function decodeBlurhash(" in page


def test_an_absolute_url_is_refused_as_an_item_source() -> None:
    with pytest.raises(ValueError, match="relative path"):
        GalleryItem(src="https://example.com/a.png", blurhash="x", width=1, height=1, caption="")


def test_an_empty_gallery_still_renders_a_page() -> None:
    page = render_gallery("Nothing here", [])

    assert "No images yet." in page
    assert "<canvas" not in page


@pytest.mark.parametrize(
    ("components", "punch"),
    [((4, 3), 1.0), ((9, 9), 1.0), ((1, 1), 1.0), ((3, 5), 1.7)],
)
def test_the_js_decoder_agrees_with_the_python_blurhash_package(
    components: tuple[int, int], punch: float
) -> None:
    node = _node()
    image = _synthetic_image(32, 24)
    access = image.load()
    assert access is not None
    rows = [[list(access[x, y]) for x in range(32)] for y in range(24)]
    hash_ = blurhash.encode(rows, components_x=components[0], components_y=components[1])
    expected = blurhash.decode(hash_, 32, 24, punch=punch)  # rows of [r, g, b]

    rgba = _js_decode(node, hash_, 32, 24, punch)

    assert len(rgba) == 32 * 24 * 4
    assert all(alpha == 255 for alpha in rgba[3::4])
    for y, row in enumerate(expected):
        for x, rgb in enumerate(row):
            offset = (y * 32 + x) * 4
            got = rgba[offset : offset + 3]
            assert all(abs(g - e) <= 2 for g, e in zip(got, rgb, strict=True)), (x, y, got, rgb)


def test_the_js_decoder_rejects_a_malformed_hash() -> None:
    node = _node()
    valid = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"
    bad_hashes = ["", "abc", valid[:-1], valid[:-1] + '"']
    script = (
        f"(0, eval)({json.dumps(blurhash_decoder_js())});\n"
        f"for (const bad of {json.dumps(bad_hashes)}) {{\n"
        "  let threw = false;\n"
        "  try { decodeBlurhash(bad, 4, 4, 1); } catch (e) { threw = true; }\n"
        "  if (!threw) { console.error('accepted ' + JSON.stringify(bad)); process.exit(1); }\n"
        "}\n"
    )

    done = subprocess.run(
        [node, "-e", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr


def test_write_gallery_writes_the_page_and_returns_its_path(tmp_path: Path) -> None:
    target = tmp_path / "out" / "index.html"

    written = write_gallery(target, "Request 1", _items())

    assert written == target
    assert target.read_text(encoding="utf-8") == render_gallery("Request 1", _items())
