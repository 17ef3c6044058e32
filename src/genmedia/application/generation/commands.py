"""The commands of the generation use cases, as frozen value objects."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.domain.batch import DEFAULT_IMAGES_PER_REFERENCE
from genmedia.domain.template import Selection


@attrs.frozen(kw_only=True)
class SubmitRequest:
    """Ask for a generation: a feature or a template, a prompt, options, inputs and params.

    `template` is a template id or slug. `media_ids` is a list (for a single image slot) or a
    mapping from slot name to media ids. `trained_model_id` names a completed trained model
    (LoRA) of the user's, or a public one, trained on the request's provider model;
    `lora_weight` (0–2, default 1) scales it and is refused without it.
    """

    user_id: int
    feature_id: int | None = None
    template: int | str | None = None
    user_prompt: str = ""
    selected_options: Selection = attrs.field(factory=dict)
    media_ids: list[int] | dict[str, list[int]] = attrs.field(factory=list)
    input_metadata: dict[str, Any] = attrs.field(factory=dict)
    params: dict[str, Any] = attrs.field(factory=dict)
    project_id: int | None = None
    trained_model_id: int | None = None
    lora_weight: float | None = None


@attrs.frozen(kw_only=True)
class CancelRequest:
    """Cancel the pending jobs of a user's request."""

    user_id: int
    request_id: int


@attrs.frozen(kw_only=True)
class DeleteRequest:
    """Hide a user's request from them, stopping its work first."""

    user_id: int
    request_id: int


@attrs.frozen(kw_only=True)
class SubmitBatch:
    """Ask for a batch: `images_per_reference` images from each reference image (the user's
    uploads), with one template's options; the other fields are those of SubmitRequest and
    apply to every request of the batch."""

    user_id: int
    reference_media_ids: list[int]
    images_per_reference: int = DEFAULT_IMAGES_PER_REFERENCE
    feature_id: int | None = None
    template: int | str | None = None
    selected_options: Selection = attrs.field(factory=dict)
    user_prompt: str = ""
    input_metadata: dict[str, Any] = attrs.field(factory=dict)
    params: dict[str, Any] = attrs.field(factory=dict)
    project_id: int | None = None
    trained_model_id: int | None = None
    lora_weight: float | None = None

    def shared(self) -> SubmitRequest:
        """What every request of the batch asks for, before its reference image."""
        fields = attrs.asdict(self, recurse=False)
        del fields["reference_media_ids"], fields["images_per_reference"]
        return SubmitRequest(**fields)
