"""Provider models: which AI model runs a job, its parameter schema and limits (SPEC CAT-5)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain import param_schema, published_schema
from genmedia.domain.errors import FieldError, InvalidParam, InvalidValue
from genmedia.domain.revision import revise
from genmedia.domain.stored import Stored

LIMITS = ("max_batch_size", "max_prompt_length", "max_pixels")


class ModelCategory(enum.StrEnum):
    """What a provider model does."""

    T2I = "t2i"
    I2I = "i2i"
    INPAINT = "inpaint"
    OUTPAINT = "outpaint"
    FINETUNE = "finetune"


def _valid_schema(
    instance: object, attribute: attrs.Attribute[dict[str, Any]], value: dict[str, Any]
) -> None:
    param_schema.check_schema(value)


def _valid_limits(
    instance: object, attribute: attrs.Attribute[dict[str, Any]], value: dict[str, Any]
) -> None:
    for name in LIMITS:
        limit = value.get(name)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise InvalidValue(f"limits.{name}", "must be a whole number or null")
        if limit is not None and limit < 1:
            raise InvalidValue(f"limits.{name}", "must be at least 1")


def _named(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value or not value.strip():
        raise InvalidValue(attribute.name, "must not be empty")


@attrs.define(slots=False, eq=False, kw_only=True)
class ProviderModel(Stored):
    """One model at one provider, with the schema its parameters must follow."""

    EDITABLE = frozenset(
        {
            "provider", "model_slug", "label", "version", "endpoint", "category",
            "capabilities", "param_schema", "limits", "cost_per_use", "is_default", "is_active",
        }
    )  # fmt: skip
    id: int | None = None
    provider: str = attrs.field(validator=_named)
    model_slug: str = attrs.field(validator=_named)
    label: str = attrs.field(validator=_named)
    version: str | None = None
    endpoint: str | None = None
    category: ModelCategory = attrs.field(default=ModelCategory.T2I, converter=ModelCategory)
    capabilities: dict[str, Any] = attrs.field(factory=dict)
    param_schema: dict[str, Any] = attrs.field(factory=dict, validator=_valid_schema)
    limits: dict[str, Any] = attrs.field(factory=dict, validator=_valid_limits)
    cost_per_use: int = 0
    usage_count: int = 0
    last_used_at: datetime | None = None
    is_default: bool = False
    is_active: bool = True
    synced_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if self.cost_per_use < 0:
            raise InvalidValue("cost_per_use", "must not be negative")

    def revise(self, **changes: Any) -> None:
        """An operator's edit of some fields, checked as a new model's would be."""
        revise(self, self.EDITABLE, changes)

    def reprice(self, cost_per_use: int) -> None:
        """Charge another number of credits per output on this model."""
        self.revise(cost_per_use=cost_per_use)

    def deactivate(self) -> None:
        """Stop offering this model to new requests, keeping it for those that used it."""
        self.revise(is_active=False)

    def sync_schema(self, published: dict[str, Any], now: datetime) -> None:
        """Take the input schema the provider publishes, narrowed to the subset genmedia
        enforces (see `published_schema`), as this model's param schema, synced at `now`."""
        schema = published_schema.narrowed(published)
        if schema.get("type") != "object":
            raise InvalidValue("param_schema", "a provider's input schema must describe an object")
        self.param_schema = schema
        self.synced_at = now

    def resolve_params(self, *layers: dict[str, Any]) -> dict[str, Any]:
        """Schema defaults overlaid by each layer in turn (template, options, user)."""
        merged = param_schema.defaults(self.param_schema)
        for layer in layers:
            merged.update(layer)
        return merged

    def check_params(
        self, params: dict[str, Any], batch_size: int, prompt: str
    ) -> list[FieldError]:
        """Every way `params`, the batch size and the prompt break this model's schema or limits."""
        errors = param_schema.validate(params, self.param_schema) if self.param_schema else []
        return errors + self._check_limits(params, batch_size, prompt)

    def _check_limits(
        self, params: dict[str, Any], batch_size: int, prompt: str
    ) -> list[FieldError]:
        limits = self.limits
        errors: list[FieldError] = []
        max_batch = limits.get("max_batch_size")
        if max_batch is not None and batch_size > max_batch:
            errors.append(InvalidParam("input_metadata.batch_size", f"must be at most {max_batch}"))
        max_prompt = limits.get("max_prompt_length")
        if max_prompt is not None and len(prompt) > max_prompt:
            errors.append(
                InvalidParam("user_prompt", f"final prompt exceeds {max_prompt} characters")
            )
        max_pixels = limits.get("max_pixels")
        width, height = params.get("width"), params.get("height")
        pixels = width * height if isinstance(width, int) and isinstance(height, int) else 0
        if max_pixels and pixels > max_pixels:
            errors.append(
                InvalidParam("params.width", f"width × height exceeds {max_pixels} pixels")
            )
        return errors

    @property
    def needs_input_image(self) -> bool:
        """Whether the model transforms an input image rather than starting from nothing."""
        return self.category in (ModelCategory.I2I, ModelCategory.INPAINT, ModelCategory.OUTPAINT)
