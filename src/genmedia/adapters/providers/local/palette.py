"""The five-colour palette of a prompt: named palettes, colour words, and word hues."""

from __future__ import annotations

import hashlib
import random
import re

from genmedia.adapters.providers.local.colours import RGB, from_hex, from_hls, jitter

_PALETTES: dict[str, tuple[str, ...]] = {
    "red": ("#3d0a0c", "#8c1c24", "#d7263d", "#ff7f7f", "#ffd1c9"),
    "blue": ("#081a3a", "#1f4e9c", "#3a86ff", "#8ec5ff", "#e3f1ff"),
    "green": ("#0b2e19", "#2d6a4f", "#52b788", "#95d5b2", "#e9f5db"),
    "gold": ("#3b2600", "#8a6212", "#d4a017", "#f6d365", "#fff5d6"),
    "snow": ("#4a5a70", "#8fa3bf", "#c9d6e8", "#eef3fa", "#ffffff"),
    "night": ("#02030a", "#0b1433", "#1d2b5c", "#4b3f8c", "#c9c3ff"),
    "sunset": ("#2b1055", "#7b2869", "#d53a6d", "#ff8c5a", "#ffd27f"),
    "forest": ("#0c1f14", "#1e3d2a", "#3f6d3a", "#87a96b", "#d9e4c3"),
    "ocean": ("#011f3a", "#01497c", "#1b8a9a", "#62c3c8", "#d3f4f1"),
    "purple": ("#1d0b33", "#4a1f7a", "#7b3fc4", "#b692f6", "#eadcff"),
    "pink": ("#4a0d2e", "#a3286b", "#e75a9b", "#ffa6c9", "#ffe4f0"),
    "orange": ("#3d1a00", "#a34700", "#f77f00", "#fcbf49", "#ffe8c2"),
    "desert": ("#4a2c17", "#9c6644", "#d4a373", "#ecd9b0", "#fefae0"),
    "fire": ("#1a0000", "#7f0000", "#e34a00", "#ffa200", "#fff1a8"),
    "neon": ("#0d0221", "#3b0a78", "#f706cf", "#00f0ff", "#d6ff3c"),
    "autumn": ("#2e1503", "#7f3b08", "#c8631b", "#e9a23b", "#f7dfb0"),
    "pastel": ("#8e9aaf", "#cbc0d3", "#efd3d7", "#feeafa", "#dee2ff"),
}
_SYNONYMS = {
    "red": ("crimson", "scarlet"),
    "blue": ("azure", "sky"),
    "gold": ("golden", "yellow"),
    "snow": ("winter", "white", "ice", "snowy"),
    "night": ("dark", "midnight", "stars", "starry"),
    "sunset": ("dusk", "dawn", "sunrise"),
    "forest": ("jungle", "woods", "trees"),
    "ocean": ("sea", "water"),
    "purple": ("violet",),
    "pink": ("magenta",),
    "desert": ("sand", "dune", "dunes"),
    "fire": ("lava", "flame", "flames"),
    "neon": ("cyberpunk",),
    "autumn": ("fall",),
}
_COLOUR_WORDS = {
    **{word: word for word in _PALETTES},
    **{word: name for name, words in _SYNONYMS.items() for word in words},
}
_STOP_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "the", "to", "with"}
_LIGHTNESSES = (0.12, 0.3, 0.5, 0.68, 0.86)


def word_list(text: str) -> list[str]:
    """The lowercase words of the text, in order."""
    return re.findall(r"[a-z]+", text.lower())


def words(text: str) -> set[str]:
    """The set of lowercase words of the text."""
    return set(word_list(text))


def palette(prompt: str, negative_prompt: str, rng: random.Random) -> list[RGB]:
    """Five colours, dark to light: from the prompt's colour words, else from its words."""
    banned = {_COLOUR_WORDS.get(word, word) for word in words(negative_prompt)}
    kept = [word for word in word_list(prompt) if word not in _STOP_WORDS]
    named = [_COLOUR_WORDS[word] for word in kept if word in _COLOUR_WORDS]
    names = [name for name in dict.fromkeys(named) if name not in banned][:3]
    if names:
        return [jitter(from_hex(_PALETTES[rng.choice(names)][rank]), rng) for rank in range(5)]
    hues = [_word_hue(word) for word in kept if word not in banned] or [rng.random()]
    return _hue_palette(hues, rng)


def _hue_palette(hues: list[float], rng: random.Random) -> list[RGB]:
    """Five colours of rising lightness, alternating the first hue with the others."""
    colours = []
    for index, lightness in enumerate(_LIGHTNESSES):
        hue = (hues[index % len(hues)] if index % 2 else hues[0]) + rng.uniform(-0.03, 0.03)
        saturation = 0.45 + 0.35 * rng.random()
        colours.append(from_hls(hue % 1.0, lightness, saturation))
    return colours


def _word_hue(word: str) -> float:
    return int.from_bytes(hashlib.sha256(word.encode()).digest()[:2], "big") / 65536
