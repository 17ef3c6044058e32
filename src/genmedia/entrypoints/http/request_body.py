"""The OpenAPI description of a request for a generation and of a batch (API.md, Generation).

`POST /v1/requests` and `POST /v1/requests/estimate` take the body as plain JSON and read it
with `submit_from_document`, which names every bad field at once (a typed body would stop
at the first). The schema below, written from the same limits, describes that body in the
OpenAPI document: the operation classes put it in place of the plain object.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType

from genmedia.application.generation.documents import MAX_MEDIA, MAX_PROMPT
from genmedia.application.inputs import MAX_ID
from genmedia.domain.batch import DEFAULT_IMAGES_PER_REFERENCE, MAX_REFERENCES
from genmedia.domain.choice import DEFAULT_MAX_BATCH, MAX_LORA_WEIGHT
from genmedia.entrypoints.http.idempotency import IdempotentOperation

NULL = OpenAPIType.NULL
_ID = Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_ID)
_IDS = Schema(type=OpenAPIType.ARRAY, items=_ID, max_items=MAX_MEDIA)
_OBJECT = Schema(type=[OpenAPIType.OBJECT, NULL], additional_properties=True)


def _optional_id(description: str) -> Schema:
    return Schema(
        type=[OpenAPIType.INTEGER, NULL], minimum=1, maximum=MAX_ID, description=description
    )


SUBMIT_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    additional_properties=False,
    description="A generation: a feature or a template, a prompt, options, inputs, params.",
    properties={
        "feature_id": _optional_id("The feature; the template's when a template is given."),
        "template_id": _optional_id("The template (GET /v1/templates)."),
        "user_prompt": Schema(type=[OpenAPIType.STRING, NULL], max_length=MAX_PROMPT),
        "selected_options": Schema(
            type=[OpenAPIType.OBJECT, NULL],
            additional_properties=Schema(
                one_of=[
                    Schema(type=OpenAPIType.STRING),
                    Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING)),
                ]
            ),
            description="Each option group's `group_name` → an option value (a list of values "
            "for a `multiple` group).",
        ),
        "media_ids": Schema(
            one_of=[
                _IDS,
                Schema(type=OpenAPIType.OBJECT, additional_properties=_IDS),
                Schema(type=NULL),
            ],
            description="The caller's media: a list (one image slot) or slot name → list.",
        ),
        "input_metadata": _OBJECT,
        "params": _OBJECT,
        "trained_model_id": _optional_id("A completed trained model (LoRA) of the caller's."),
        "lora_weight": Schema(
            type=[OpenAPIType.NUMBER, NULL],
            minimum=0,
            maximum=MAX_LORA_WEIGHT,
            description="How strongly the trained model applies (default 1).",
        ),
        "project_id": _optional_id("A project of the caller's."),
    },
)
SUBMIT_BODY = RequestBody(
    content={"application/json": OpenAPIMediaType(schema=SUBMIT_SCHEMA)}, required=True
)


BATCH_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    additional_properties=False,
    required=["reference_media_ids"],
    description="A batch (GEN-7): a request per reference image, each of "
    "`images_per_reference` images; the other fields apply to every request.",
    properties={
        **{k: v for k, v in (SUBMIT_SCHEMA.properties or {}).items() if k != "media_ids"},
        "reference_media_ids": Schema(
            type=OpenAPIType.ARRAY,
            items=_ID,
            min_items=1,
            max_items=MAX_REFERENCES,
            description="The caller's images, each the input of one request of the batch.",
        ),
        "images_per_reference": Schema(
            type=OpenAPIType.INTEGER,
            minimum=1,
            maximum=DEFAULT_MAX_BATCH,
            default=DEFAULT_IMAGES_PER_REFERENCE,
            description="Images made from each reference image (at most the model's batch).",
        ),
    },
)
BATCH_BODY = RequestBody(
    content={"application/json": OpenAPIMediaType(schema=BATCH_SCHEMA)}, required=True
)


@dataclass
class EstimateOperation(Operation):
    """An operation whose body is a request for a generation."""

    def __post_init__(self) -> None:
        self.request_body = SUBMIT_BODY


@dataclass
class SubmitOperation(IdempotentOperation):
    """An idempotent operation whose body is a request for a generation."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.request_body = SUBMIT_BODY


@dataclass
class BatchOperation(IdempotentOperation):
    """An idempotent operation whose body is a batch."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.request_body = BATCH_BODY
