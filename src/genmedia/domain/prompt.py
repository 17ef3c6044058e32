"""Prompt composition (SPEC GEN-2)."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = ", "


def _clean(part: str | None) -> str:
    return " ".join((part or "").split()).strip(" ,")


def compose_prompt(
    system_prompt: str | None,
    template_prompt: str | None,
    fragments: Iterable[str],
    user_prompt: str | None,
) -> str:
    """Join system prompt, template prompt, option fragments and user prompt, in that order.

    Whitespace inside each part is collapsed, empty parts are dropped, and a fragment that is
    already present is not repeated, so the same inputs always give the same prompt.
    """
    parts: list[str] = []
    for raw in (system_prompt, template_prompt, *fragments, user_prompt):
        part = _clean(raw)
        if part and part not in parts:
            parts.append(part)
    return SEPARATOR.join(parts)
