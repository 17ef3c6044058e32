"""What a job asks its provider for, fixed when its request is planned (SPEC GEN-4, WAL-8).

A job's input is one value: the provider and model, the prompt, parameters and seed, the
images an edit starts from, the trained model (LoRA) it applies, and the credits it costs.
Whether it is an edit and what it costs are read from here, nowhere else.

It is kept as a document (`as_document`) whose shape is the stored one; `from_document`
reads back any document of that shape, keys missing from older ones taking their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from genmedia.domain.training import TrainingSpec
from genmedia.domain.wallet import EntryKind


@attrs.frozen(kw_only=True)
class SourceImage:
    """A stored image an edit starts from, and the image slot it fills."""

    slot: str
    media_id: int | None
    storage_path: str
    file_format: str

    def as_document(self) -> dict[str, Any]:
        """The image as stored in the job's input document."""
        return {
            "slot": self.slot,
            "media_id": self.media_id,
            "storage_path": self.storage_path,
            "file_format": self.file_format,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> SourceImage:
        """The image a stored input document names."""
        return cls(
            slot=doc.get("slot", ""),
            media_id=doc.get("media_id"),
            storage_path=doc.get("storage_path", ""),
            file_format=doc.get("file_format", ""),
        )


@attrs.frozen(kw_only=True)
class LoraUse:
    """A trained model (LoRA) applied to the job, and how strongly (0 to 2)."""

    trained_model_id: int | None
    trigger_word: str
    weights_url: str | None
    weight: float

    def as_document(self) -> dict[str, Any]:
        """The trained model as stored in the job's input document."""
        return {
            "trained_model_id": self.trained_model_id,
            "trigger_word": self.trigger_word,
            "weights_url": self.weights_url,
            "weight": self.weight,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> LoraUse:
        """The trained model a stored input document names."""
        return cls(
            trained_model_id=doc.get("trained_model_id"),
            trigger_word=doc.get("trigger_word", ""),
            weights_url=doc.get("weights_url"),
            weight=doc.get("weight", 1.0),
        )


@attrs.frozen(kw_only=True)
class FallbackModel:
    """The model a job runs on instead when its primary provider cannot run it, with the
    parameters resolved for it (see `domain.fallback`)."""

    provider: str
    model: str
    endpoint: str | None = None
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def as_document(self) -> dict[str, Any]:
        """The fallback as stored in the job's input document."""
        return {
            "provider": self.provider,
            "model": self.model,
            "endpoint": self.endpoint,
            "params": dict(self.params),
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> FallbackModel:
        """The fallback a stored input document names."""
        return cls(
            provider=doc.get("provider", ""),
            model=doc.get("model", ""),
            endpoint=doc.get("endpoint"),
            params=dict(doc.get("params") or {}),
        )


@attrs.frozen(kw_only=True)
class JobInput:
    """Everything one job sends its provider, and the credits it costs the user."""

    provider: str = ""
    model: str = ""
    endpoint: str | None = None
    prompt: str = ""
    negative_prompt: str | None = None
    params: Mapping[str, Any] = attrs.field(factory=dict)
    seed: int = 0
    images: tuple[SourceImage, ...] = ()
    lora: LoraUse | None = None
    # What a training job trains (`domain.training`); None for a generation or an edit.
    training: TrainingSpec | None = None
    index: int = 0
    credits: int = 0
    fallback: FallbackModel | None = None
    # "provider/model" of the primary this input replaced, once the job fell back.
    fell_back_from: str | None = None
    # What the outputs' media keep in their metadata (`domain.photos`); never sent.
    media_facts: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def is_edit(self) -> bool:
        """Whether the job edits images it was given rather than making new ones."""
        return bool(self.images)

    @property
    def kind(self) -> EntryKind:
        """What the job's charge is for: a training, an edit or a generation."""
        if self.training is not None:
            return EntryKind.TRAINING
        return EntryKind.EDIT if self.is_edit else EntryKind.GENERATION

    @property
    def trained_model_id(self) -> int | None:
        """The trained model the job trains or applies, if any (its charge links it)."""
        if self.training is not None:
            return self.training.trained_model_id
        return self.lora.trained_model_id if self.lora is not None else None

    @property
    def edited_media_id(self) -> int | None:
        """The media an edit's outputs are made from: its first image's."""
        return self.images[0].media_id if self.images else None

    def payload(self) -> dict[str, Any]:
        """What is asked of the provider, as a document (the request keeps one)."""
        doc: dict[str, Any] = {
            "provider": self.provider,
            "model": self.model,
            "endpoint": self.endpoint,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "params": dict(self.params),
            "seed": self.seed,
            "inputs": [image.as_document() for image in self.images],
        }
        if self.lora is not None:
            doc["lora"] = self.lora.as_document()
        if self.training is not None:
            doc["training"] = self.training.as_document()
        return doc

    def on_fallback(self) -> JobInput:
        """The input with its fallback model in place of its primary, at the same credits."""
        fallback = self.fallback
        if fallback is None:
            raise ValueError("this input has no fallback model")
        return attrs.evolve(
            self,
            provider=fallback.provider,
            model=fallback.model,
            endpoint=fallback.endpoint,
            params=fallback.params,
            fallback=None,
            fell_back_from=f"{self.provider}/{self.model}",
        )

    def as_document(self) -> dict[str, Any]:
        """The input as stored with the job: the payload, its index, its credits, its
        fallback and its outputs' media facts."""
        doc = {**self.payload(), "index": self.index, "credits": self.credits}
        if self.fallback is not None:
            doc["fallback"] = self.fallback.as_document()
        if self.fell_back_from is not None:
            doc["fell_back_from"] = self.fell_back_from
        if self.media_facts:
            doc["media_facts"] = dict(self.media_facts)
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> JobInput:
        """The input a stored document holds; keys it lacks take their defaults."""
        lora, fallback, training = doc.get("lora"), doc.get("fallback"), doc.get("training")
        return cls(
            provider=doc.get("provider", ""),
            model=doc.get("model", ""),
            endpoint=doc.get("endpoint"),
            prompt=doc.get("prompt", ""),
            negative_prompt=doc.get("negative_prompt"),
            params=dict(doc.get("params") or {}),
            seed=int(doc.get("seed", 0)),
            images=tuple(SourceImage.from_document(i) for i in doc.get("inputs") or ()),
            lora=LoraUse.from_document(lora) if lora is not None else None,
            training=TrainingSpec.from_document(training) if training is not None else None,
            index=int(doc.get("index", 0)),
            credits=int(doc.get("credits", 0)),
            fallback=FallbackModel.from_document(fallback) if fallback is not None else None,
            fell_back_from=doc.get("fell_back_from"),
            media_facts=dict(doc.get("media_facts") or {}),
        )
