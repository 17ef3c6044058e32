"""What a generated photo keeps of how it was made, as queryable facts of its media's
metadata (SPEC GEN-7, GEN-8; seed 003 §3 `photos`).

The facts are seed 003's photo columns: the options of the groups `aspectRatio`, `glasses`,
`hairColor`, `hairStyle`, `backgrounds` and `styles` (as the request resolved them),
`referenceImageId` (the media the photo was made from) and `generationBatchId` (its batch).
`backgrounds` and `styles` are always lists, so that one value is found by containment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

SINGLE_GROUPS = ("aspectRatio", "glasses", "hairColor", "hairStyle")
LIST_GROUPS = ("backgrounds", "styles")
REFERENCE = "referenceImageId"
BATCH = "generationBatchId"


def photo_facts(
    selection: Mapping[str, str | list[str]], reference_media_id: int | None
) -> dict[str, Any]:
    """The facts a photo made with these resolved options, from this media (if any), keeps."""
    facts: dict[str, Any] = {
        name: selection[name] for name in SINGLE_GROUPS if isinstance(selection.get(name), str)
    }
    for name in LIST_GROUPS:
        picked = selection.get(name)
        if picked is not None:
            facts[name] = [picked] if isinstance(picked, str) else list(picked)
    if reference_media_id is not None:
        facts[REFERENCE] = reference_media_id
    return facts


@attrs.frozen(kw_only=True)
class PhotoQuery:
    """Which photos to find by their facts; a field left None does not filter. `background`
    and `style` find photos whose list holds that value."""

    reference_image_id: int | None = None
    batch_id: int | None = None
    aspect_ratio: str | None = None
    glasses: str | None = None
    hair_color: str | None = None
    hair_style: str | None = None
    background: str | None = None
    style: str | None = None

    def facts(self) -> dict[str, Any]:
        """The facts a photo's metadata must contain: scalars equal, lists holding the value."""
        wanted: dict[str, Any] = {
            REFERENCE: self.reference_image_id,
            BATCH: self.batch_id,
            "aspectRatio": self.aspect_ratio,
            "glasses": self.glasses,
            "hairColor": self.hair_color,
            "hairStyle": self.hair_style,
            "backgrounds": None if self.background is None else [self.background],
            "styles": None if self.style is None else [self.style],
        }
        return {name: value for name, value in wanted.items() if value is not None}


def has_facts(metadata: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Whether metadata contains the facts: each scalar equal, each list's values held."""
    for name, value in facts.items():
        held = metadata.get(name)
        if isinstance(value, list):
            if not isinstance(held, list) or not all(v in held for v in value):
                return False
        elif held != value:
            return False
    return True
