"""The port of AI providers, and the values that cross it."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import attrs

from genmedia.domain.provider_cost import ProviderCost


@attrs.frozen(kw_only=True)
class InputImage:
    """An image handed to a provider, e.g. the source of an edit."""

    data: bytes
    file_format: str
    slot: str = "image"


@attrs.frozen(kw_only=True)
class LoraCall:
    """A trained model's LoRA applied to a call, at `scale` (0 to 2): a URL the provider
    downloads it from (time-limited, in our storage), or its bytes for a provider that
    takes them inline (`ProviderGateway.inline_loras`)."""

    scale: float
    url: str | None = None
    data: bytes | None = None


@attrs.frozen(kw_only=True)
class ProviderCall:
    """Everything a provider needs for one job."""

    job_id: int
    model: str
    endpoint: str | None
    prompt: str
    negative_prompt: str | None
    params: dict[str, Any]
    seed: int
    inputs: tuple[InputImage, ...] = ()
    # Where the provider may tell us that the task finished (None: it is polled only).
    webhook_url: str | None = None
    lora: LoraCall | None = None

    @property
    def idempotency_key(self) -> str:
        """A key that names this job's submission, for providers that deduplicate."""
        return f"genmedia-job-{self.job_id}"


@attrs.frozen(kw_only=True)
class TrainingCall:
    """Everything a trainer needs to train one LoRA: the base model, the images in order,
    the prompts naming the subject, the steps and the learning rate."""

    job_id: int
    model: str
    endpoint: str | None
    trigger_word: str
    type: str
    instance_prompt: str
    class_prompt: str | None
    steps: int
    learning_rate: float
    images: tuple[InputImage, ...]
    webhook_url: str | None = None
    # The provider's training endpoint, when it is not `model` itself.
    trainer: str | None = None
    # For a trainer that downloads them (`TrainingGateway.archived_images`): a time-limited
    # URL of the images as one zip archive in our storage, in order.
    images_url: str | None = None

    @property
    def idempotency_key(self) -> str:
        """A key that names this job's submission, for providers that deduplicate."""
        return f"genmedia-training-{self.job_id}"


@attrs.frozen(kw_only=True)
class ProviderOutput:
    """One output: the bytes, or a URL to download them from before it expires."""

    data: bytes | None = None
    url: str | None = None


@attrs.frozen(kw_only=True)
class Finished:
    """A provider call that produced its outputs."""

    outputs: tuple[ProviderOutput, ...]
    provider_cost: ProviderCost | None = None  # what the task cost, if the result said
    metadata: dict[str, Any] = attrs.field(factory=dict)
    # Files that are not media, by name: a finished training's "weights" and "config".
    artifacts: Mapping[str, ProviderOutput] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Waiting:
    """An asynchronous provider task still running; poll it again later."""

    task_id: str
    polling_url: str | None = None
    poll_after: float = 1.0
    provider_cost: ProviderCost | None = None  # what the task costs, if the submit said
    # How far the task has come (0 to 1), where the provider says (BFL's `progress`).
    progress: float | None = None


Outcome = Finished | Waiting


class ProviderGateway(abc.ABC):
    """One AI provider; errors are raised as ProviderError."""

    name: str
    # Whether a submit may name a webhook URL that the provider calls when its task is done.
    accepts_webhooks: bool = False
    # Whether a call's LoRA goes as its bytes (LoraCall.data) rather than as a URL.
    inline_loras: bool = False

    @abc.abstractmethod
    def submit(self, call: ProviderCall) -> Outcome:
        """Start the work; a synchronous provider answers Finished at once."""

    @abc.abstractmethod
    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Ask about a task started earlier."""

    @abc.abstractmethod
    def fetch(self, url: str) -> bytes:
        """Download an output the provider returned as a URL."""

    def cancel(self, task_id: str, polling_url: str | None) -> None:  # noqa: B027
        """Ask the provider to stop a task; providers without a cancel API ignore it."""


class TrainingGateway(abc.ABC):
    """A provider that trains LoRAs; it is also the `ProviderGateway` that polls, cancels
    and fetches its tasks. A finished training answers `Finished` with the "weights" (and
    "config") artifacts and a preview image as its output, if it has one."""

    # Whether the trainer downloads the images as one zip archive (TrainingCall.images_url).
    archived_images: bool = False

    @abc.abstractmethod
    def submit_training(self, call: TrainingCall) -> Outcome:
        """Start training; a trainer answers Waiting with the task to poll, or Finished."""


class WebhookVerifier(abc.ABC):
    """Tells a provider's genuine webhook deliveries from forged, altered or stale ones."""

    provider: str

    @abc.abstractmethod
    def task_of(self, headers: Mapping[str, str], body: bytes) -> str:
        """The id of the provider task a genuine delivery is about; InvalidSignature if it
        is not genuine, FieldError if it names no task. `headers` have lower-case names;
        `body` is the raw body the signature covers."""


class ModelSchemaSource(abc.ABC):
    """Where a provider publishes the input schema of its models (SPEC CAT-5)."""

    provider: str

    @abc.abstractmethod
    def input_schema(self, model: str) -> dict[str, Any]:
        """The JSON schema of the input `model` takes, as the provider publishes it, with its
        `$ref`s resolved and without the fields the adapter fills from the request (prompt,
        seed, images); a field genmedia keeps fixed (how many outputs a job makes) is a
        `const`. A ProviderError if the schema cannot be read."""
