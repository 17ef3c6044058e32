"""A use case's page (application/pages.py) as the page of a list answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from genmedia.application.pages import Page as Found
from genmedia.entrypoints.http.pagination import Page, PageRequest

T = TypeVar("T")
V = TypeVar("V")


def page_view(page: PageRequest, found: Found[T], view: Callable[[T], V]) -> Page[V]:
    """The items as views, and the key to read on from signed into `next_cursor`."""
    after = found.next_after
    cursor = None if after is None else page.cursors.encode(page.scope, after)
    return Page(items=[view(item) for item in found.items], next_cursor=cursor)
