"""Prompt composition (GEN-2)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.prompt import compose_prompt

parts = st.one_of(st.none(), st.text(alphabet="abc xyz,", max_size=12))


def test_parts_come_in_order_system_template_options_user() -> None:
    prompt = compose_prompt("sharp", "portrait", ["red hair", "beach"], "a fox")
    assert prompt == "sharp, portrait, red hair, beach, a fox"


def test_empty_parts_and_extra_whitespace_are_dropped() -> None:
    assert compose_prompt(None, "  two   words ", ["", "  "], "") == "two words"


def test_a_repeated_fragment_appears_once() -> None:
    assert compose_prompt("hd", "hd", ["hd", "neon"], "neon") == "hd, neon"


@given(parts, parts, st.lists(parts.map(lambda p: p or ""), max_size=4), parts)
def test_composition_is_deterministic(
    system: str | None, template: str | None, fragments: list[str], user: str | None
) -> None:
    first = compose_prompt(system, template, fragments, user)
    assert first == compose_prompt(system, template, list(fragments), user)


@given(st.lists(st.text(alphabet="abcdef", min_size=1, max_size=6), min_size=1, max_size=6))
def test_every_non_empty_part_is_kept_exactly_once(words: list[str]) -> None:
    prompt = compose_prompt(None, None, words, None)
    pieces = prompt.split(", ")
    assert sorted(set(pieces)) == sorted(set(words))
    assert len(pieces) == len(set(pieces))
