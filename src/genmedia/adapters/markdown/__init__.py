"""Markdown rendered to sanitised HTML (markdown-it-py, then nh3, the Rust ammonia sanitiser)."""

from genmedia.adapters.markdown.renderer import SanitisingMarkdownRenderer

__all__ = ["SanitisingMarkdownRenderer"]
