"""Trained models (LoRA): a user's fine-tune of a base provider model (SPEC TRN-1, TRN-3)."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, TypeVar

import attrs

from genmedia.domain.errors import IllegalTransition, InvalidValue, NotFound
from genmedia.domain.money import whole
from genmedia.domain.stored import Stored
from genmedia.domain.training import TrainingImage

FIELD = "trained_model_id"
"""The request field every refusal to use a trained model names."""

DEFAULT_PRICE = 2
"""Credits to use a trained model once, unless it says otherwise (seed 002 `starsRequired`)."""

MAX_NAME = 128
MAX_TRIGGER_WORD = 64


class TrainedModelType(enum.StrEnum):
    """What a trained model learned: a style, or a person's likeness."""

    STYLE = "style"
    PORTRAIT = "portrait"


class TrainedModelStatus(enum.StrEnum):
    """pending → training → completed, or failed on the way."""

    PENDING = "pending"
    TRAINING = "training"
    COMPLETED = "completed"
    FAILED = "failed"


class Gender(enum.StrEnum):
    """The gender chosen for a portrait model when training it (seed 003 `gender`)."""

    MALE = "male"
    FEMALE = "female"


E = TypeVar("E", bound=enum.Enum)


def _member(kind: type[E], field: str, value: Any) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise InvalidValue(field, f"must be one of {allowed}") from None


def _model_type(value: Any) -> TrainedModelType:
    return _member(TrainedModelType, "type", value)


def _model_status(value: Any) -> TrainedModelStatus:
    return _member(TrainedModelStatus, "status", value)


def _gender(value: Any) -> Gender | None:
    return None if value is None else _member(Gender, "gender", value)


def _text(field: str, limit: int, value: Any) -> str:
    text = " ".join(str(value).split())
    if not text or len(text) > limit:
        raise InvalidValue(field, f"must be 1 to {limit} characters")
    return text


def _name(value: Any) -> str:
    return _text("name", MAX_NAME, value)


def _trigger_word(value: Any) -> str:
    return _text("trigger_word", MAX_TRIGGER_WORD, value)


def _url(field: str, value: Any) -> str | None:
    if value is None:
        return None
    url = str(value).strip()
    if not url:
        raise InvalidValue(field, "must not be empty")
    return url


def _weights_url(value: Any) -> str | None:
    return _url("weights_url", value)


def _config_url(value: Any) -> str | None:
    return _url("config_url", value)


@attrs.define(slots=False, eq=False, kw_only=True)
class TrainedModel(Stored):
    """A LoRA trained on a base provider model; usable once completed, by its owner or by
    anyone when public, for `price` credits per output on top of the other prices (WAL-8)."""

    id: int | None = None
    owner_id: int
    name: str = attrs.field(converter=_name)
    trigger_word: str = attrs.field(converter=_trigger_word)
    base_model_id: int
    type: TrainedModelType = attrs.field(default=TrainedModelType.STYLE, converter=_model_type)
    status: TrainedModelStatus = attrs.field(
        default=TrainedModelStatus.PENDING, converter=_model_status
    )
    preview_image_url: str | None = None
    is_public: bool = False
    price: int = attrs.field(default=DEFAULT_PRICE, validator=whole("price"))
    gender: Gender | None = attrs.field(default=None, converter=_gender)
    weights_url: str | None = attrs.field(default=None, converter=_weights_url)
    config_url: str | None = attrs.field(default=None, converter=_config_url)
    # The request whose one job trains the model (SPEC TRN-2), the images it trains on, in
    # order (seed 003), what the training cost, and why it failed, if it did.
    training_request_id: int | None = None
    images: list[TrainingImage] = attrs.field(factory=list)
    images_count: int = 0
    training_credits_used: int = 0
    training_error: str | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if self.status is TrainedModelStatus.COMPLETED and self.weights_url is None:
            raise InvalidValue("weights_url", "a completed model needs its weights")

    def _move(self, target: TrainedModelStatus, *allowed: TrainedModelStatus) -> None:
        if self.status not in allowed:
            raise IllegalTransition("trained model", self.status.value, target.value)
        self.status = target

    def trained_by(self, request_id: int) -> None:
        """Record the request whose job trains the model."""
        self.training_request_id = request_id

    def train_on(self, images: list[TrainingImage]) -> None:
        """Record the images the model is trained on, in their order."""
        self.images = sorted(images, key=lambda image: image.order)
        self.images_count = len(self.images)

    def start_training(self) -> None:
        """The trainer accepted the training job."""
        self._move(TrainedModelStatus.TRAINING, TrainedModelStatus.PENDING)

    def complete(
        self,
        weights_url: str,
        config_url: str | None = None,
        preview_image_url: str | None = None,
        credits_used: int = 0,
    ) -> None:
        """Training finished: keep where its weights, config and preview are, and what it
        cost. A trainer that answers at once never reported it training."""
        weights, config = _weights_url(weights_url), _config_url(config_url)
        if weights is None:
            raise InvalidValue("weights_url", "a completed model needs its weights")
        pending, training = TrainedModelStatus.PENDING, TrainedModelStatus.TRAINING
        self._move(TrainedModelStatus.COMPLETED, pending, training)
        self.weights_url, self.config_url = weights, config
        self.preview_image_url = preview_image_url or self.preview_image_url
        self.training_credits_used = credits_used
        self.training_error = None

    def fail(self, error: str | None = None) -> None:
        """Training could not be started or did not finish, for this reason."""
        self._move(
            TrainedModelStatus.FAILED, TrainedModelStatus.PENDING, TrainedModelStatus.TRAINING
        )
        self.training_error = error

    def check_owned_by(self, user_id: int) -> None:
        """Raise NotFound unless this is a live model of the user's: another user's model
        does not exist for them, public or not, when they would change it."""
        if self.owner_id != user_id or self.deleted_at is not None:
            raise NotFound("trained_model", self.id)

    def edit(self, user_id: int, *, name: str | None = None, is_public: bool | None = None) -> None:
        """Rename or publish (or unpublish) the owner's model; NotFound for anyone else."""
        self.check_owned_by(user_id)
        if name is not None:
            self.name = _name(name)
        if is_public is not None:
            if not isinstance(is_public, bool):
                raise InvalidValue("is_public", "must be true or false")
            self.is_public = is_public

    def is_visible_to(self, user_id: int) -> bool:
        """Whether the user may see the model: their own, or a public one, not deleted."""
        return self.deleted_at is None and (self.owner_id == user_id or self.is_public)

    def check_usable_by(self, user_id: int) -> None:
        """Raise InvalidValue naming `trained_model_id` unless the user may generate with it.

        Someone else's private model is reported as not found, so its existence is not told.
        """
        if not self.is_visible_to(user_id):
            raise InvalidValue(FIELD, f"trained model {self.id} not found")
        if self.status is not TrainedModelStatus.COMPLETED:
            raise InvalidValue(
                FIELD, f"trained model {self.id} is {self.status.value}, not completed"
            )

    def prompt_with_trigger_word(self, prompt: str) -> str:
        """The prompt led by the trigger word, unless the word is already in it as a word."""
        text = prompt.strip()
        word = re.compile(rf"(?<!\w){re.escape(self.trigger_word)}(?!\w)")
        if word.search(text):
            return text
        return f"{self.trigger_word} {text}".strip()
