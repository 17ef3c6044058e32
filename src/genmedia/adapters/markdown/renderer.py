"""Articles' Markdown as HTML safe to put in a page: rendered by markdown-it-py (CommonMark
with tables and strikethrough, raw HTML allowed, since seed 004 content may be HTML), then
cleaned by nh3 (ammonia) against an allowlist of tags, attributes and URL schemes.

The sanitiser is the one judge of what is safe. markdown-it's own link check is turned off,
so a refused link keeps its text but loses its URL instead of showing as raw Markdown.
"""

from __future__ import annotations

from importlib.metadata import version

import markdown_it
import nh3

from genmedia.application.ports.content import ArticleRenderer
from genmedia.domain.article import Rendering

RULES = 1
"""The version of the rules below: raise it when they change, so stored HTML is redone."""

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "s", "samp", "small", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "style"},
    "td": {"colspan", "rowspan", "style"},
}
# Removed with everything inside them, not just their tags.
DROPPED_WHOLE = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "noscript",
    "template", "textarea", "title", "svg", "math", "select", "xmp", "noembed", "noframes",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}


class _EveryLink(markdown_it.MarkdownIt):
    """markdown-it that turns every link into a link, leaving URLs to the sanitiser."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        """Every URL: the sanitiser drops the ones it does not allow."""
        return True


class SanitisingMarkdownRenderer(ArticleRenderer):
    """Markdown to HTML with no script, style, frame, event handler or unsafe URL."""

    def __init__(self) -> None:
        options = {"html": True, "linkify": False, "typographer": False}
        self._markdown = _EveryLink("commonmark", options).enable(["table", "strikethrough"])
        self._cleaner = nh3.Cleaner(
            tags=TAGS,
            clean_content_tags=DROPPED_WHOLE,
            attributes=ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            filter_style_properties={"text-align"},
            strip_comments=True,
            link_rel="noopener noreferrer",
        )
        self._name = (
            f"markdown-it-py {version('markdown-it-py')}; nh3 {version('nh3')}; rules {RULES}"
        )

    @property
    def name(self) -> str:
        """The library versions and the rules' version."""
        return self._name

    def render(self, markdown: str) -> Rendering:
        """The sanitised HTML of the Markdown."""
        return Rendering(self._cleaner.clean(self._markdown.render(markdown)), self._name)
