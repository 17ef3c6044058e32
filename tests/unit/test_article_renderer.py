"""The article renderer (markdown-it-py, then nh3): whatever the Markdown, its HTML has no
script, style or frame, no event handler, no unsafe URL, and only allowed tags and
attributes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from genmedia.adapters.markdown import SanitisingMarkdownRenderer
from genmedia.adapters.markdown.renderer import ATTRIBUTES, TAGS

RENDERER = SanitisingMarkdownRenderer()
DANGEROUS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//x.example/x.js></SCRIPT>", "<scr<script>ipt>",
    "<<script>script>", '"><script>alert(1)</script>', "```\n<script>\n```", "`<script>`",
    "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "<a href=' javascript:alert(1)'>x</a>", '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>', "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))", "[x](vbscript:msgbox(1))", "[x]: javascript:alert(1)\n\n[y][x]",
    "<javascript:alert(1)>", "![x](data:image/png;base64,AAAA)",
    '<img src="data:text/html,<script>alert(1)</script>">', "<iframe src=//evil.example>",
    "<style>*{display:none}</style>", '<div style="background:url(javascript:alert(1))">d</div>',
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>', "<!-- <script> -->",
    "<form action=javascript:alert(1)><input type=submit></form>", "<object data=x.swf>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>", "<base href=//evil/>",
    '<td style="text-align:right;position:fixed" onclick=x>c</td>', "| a |\n|:-|\n| b |",
    "<a href=x onmouseover=alert(1)>x</a>", "*", "\n\n", "    code\n", "> ", "[", "](", "<",
]  # fmt: skip
UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|data|file):", re.IGNORECASE)
ALLOWED_ATTRIBUTES = {tag: names | ({"rel"} if tag == "a" else set()) for tag, names in
                      {**{t: set() for t in TAGS}, **ATTRIBUTES}.items()}  # fmt: skip


class Elements(HTMLParser):
    """Collects the tags and attributes of an HTML fragment, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def _compact(value: str) -> str:
    return "".join(c for c in value if c > " ")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(DANGEROUS), st.text(max_size=40)), max_size=12))
def test_no_markdown_renders_to_a_script_an_event_handler_or_an_unsafe_url(
    parts: list[str],
) -> None:
    html = RENDERER.render(" ".join(parts)).html
    assert "<script" not in html.lower()
    for tag, attributes in elements(html):
        assert tag in TAGS
        for name, value in attributes:
            assert not name.startswith("on")
            assert name in ALLOWED_ATTRIBUTES[tag]
            assert not UNSAFE_SCHEME.match(_compact(value or ""))
            assert "javascript:" not in _compact(value or "").lower()


def test_ordinary_markdown_keeps_its_structure_links_and_images() -> None:
    markdown = (
        "# Title\n\nSome *em* and **strong**, `code`, ~~gone~~.\n\n"
        "- [site](https://example.com/a?b=1) [mail](mailto:a@example.com) [here](/v1/x)\n"
        "- ![cat](https://example.com/cat.png)\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n"
    )
    html = RENDERER.render(markdown).html
    for fragment in (
        "<h1>Title</h1>", "<em>em</em>", "<strong>strong</strong>", "<code>code</code>",
        "<s>gone</s>", '<a href="https://example.com/a?b=1" rel="noopener noreferrer">site</a>',
        'href="mailto:a@example.com"', 'href="/v1/x"', '<img src="https://example.com/cat.png"',
        '<th style="text-align:right">a</th>',
    ):  # fmt: skip
        assert fragment in html


def test_a_refused_link_keeps_its_text_without_its_url() -> None:
    html = RENDERER.render("[click](javascript:alert(1)) ![x](data:image/png;base64,AA)").html
    assert html == '<p><a rel="noopener noreferrer">click</a> <img alt="x"></p>\n'


def test_the_renderer_names_its_libraries_and_rules_in_each_rendering() -> None:
    rendering = RENDERER.render("x")
    assert rendering.renderer == RENDERER.name
    assert RENDERER.name.startswith("markdown-it-py ")
    assert "nh3 " in RENDERER.name
