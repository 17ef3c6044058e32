"""The input schemas the fakes publish, shaped as Replicate and fal publish theirs.

Replicate: a model version's `openapi_schema` is the OpenAPI document Cog writes for the
model, whose `components.schemas.Input` names each input; an enum input is
`{"allOf": [{"$ref": "#/components/schemas/<name>"}]}` beside its default, and the enum is a
schema of its own ("An enumeration."). fal: `GET /api/openapi/queue/openapi.json?endpoint_id=…`
answers the OpenAPI document of the endpoint's queue, whose `POST /{endpoint id}` takes
`#/components/schemas/<X>Input` as its JSON body; a size is `anyOf` an `ImageSize` object or
a preset, a nullable input `anyOf` its type and null, and `x-fal-order-properties` orders the
inputs. Both are written after the published documents of black-forest-labs/flux-schnell
and fal-ai/flux/dev, cut down.
"""

from __future__ import annotations

from typing import Any

FAL_SCHEMA_PATH = "/api/openapi/queue/openapi.json"
ASPECT_RATIOS = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"]
IMAGE_SIZES = [
    "square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9",
]  # fmt: skip


def _enum(name: str, values: list[str]) -> dict[str, Any]:
    return {"enum": values, "type": "string", "title": name, "description": "An enumeration."}


def _cog_input() -> dict[str, Any]:
    def ref(name: str, default: str, order: int, description: str) -> dict[str, Any]:
        return {
            "allOf": [{"$ref": f"#/components/schemas/{name}"}],
            "default": default,
            "x-order": order,
            "description": description,
        }

    def number(kind: str, title: str, order: int, **bounds: Any) -> dict[str, Any]:
        return {"type": kind, "title": title, "x-order": order, **bounds}

    return {
        "type": "object",
        "title": "Input",
        "required": ["prompt"],
        "properties": {
            "prompt": {"type": "string", "title": "Prompt", "x-order": 0},
            "aspect_ratio": ref("aspect_ratio", "1:1", 1, "Aspect ratio for the generated image"),
            "num_outputs": number("integer", "Num Outputs", 2, default=1, minimum=1, maximum=4),
            "num_inference_steps": number(
                "integer", "Num Inference Steps", 3, default=4, minimum=1, maximum=4
            ),
            "seed": {"type": "integer", "title": "Seed", "x-order": 4},
            "output_format": ref("output_format", "webp", 5, "Format of the output images"),
            "output_quality": number(
                "integer", "Output Quality", 6, default=80, minimum=0, maximum=100
            ),
            "disable_safety_checker": {
                "type": "boolean",
                "title": "Disable Safety Checker",
                "default": False,
                "x-order": 7,
            },
            "go_fast": {"type": "boolean", "title": "Go Fast", "default": True, "x-order": 8},
            "megapixels": ref("megapixels", "1", 9, "Approximate number of megapixels"),
        },
    }


def cog_openapi_schema() -> dict[str, Any]:
    """The `openapi_schema` of a flux-schnell version, as Cog writes it."""
    return {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "paths": {
            "/predictions": {
                "post": {
                    "summary": "Predict",
                    "operationId": "predict_predictions_post",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/PredictionRequest"}
                            }
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Input": _cog_input(),
                "Output": {
                    "type": "array",
                    "items": {"type": "string", "format": "uri"},
                    "title": "Output",
                },
                "aspect_ratio": _enum("aspect_ratio", ASPECT_RATIOS),
                "output_format": _enum("output_format", ["webp", "jpg", "png"]),
                "megapixels": _enum("megapixels", ["1", "0.25"]),
                "PredictionRequest": {
                    "type": "object",
                    "title": "PredictionRequest",
                    "properties": {"input": {"$ref": "#/components/schemas/Input"}},
                },
            }
        },
    }


def replicate_model(model: str, version: str, base_url: str) -> dict[str, Any]:
    """The answer to GET /v1/models/{owner}/{name}."""
    owner, name = model.split("/")
    return {
        "url": f"{base_url}/{model}",
        "owner": owner,
        "name": name,
        "description": "The fastest image generation model tailored for local development",
        "visibility": "public",
        "run_count": 1,
        "default_example": None,
        "latest_version": replicate_version(version),
    }


def replicate_version(version: str) -> dict[str, Any]:
    """The answer to GET /v1/models/{owner}/{name}/versions/{id}."""
    return {
        "id": version,
        "created_at": "2024-07-30T00:00:00.000000Z",
        "cog_version": "0.9.13",
        "openapi_schema": cog_openapi_schema(),
    }


def _fal_input() -> dict[str, Any]:
    return {
        "title": "BaseInput",
        "type": "object",
        "x-fal-order-properties": [
            "prompt", "image_size", "num_inference_steps", "seed", "guidance_scale",
            "sync_mode", "num_images", "enable_safety_checker", "output_format", "acceleration",
        ],
        "required": ["prompt"],
        "properties": {
            "prompt": {"type": "string", "title": "Prompt", "examples": ["a cat"]},
            "image_size": {
                "anyOf": [
                    {"$ref": "#/components/schemas/ImageSize"},
                    {"enum": IMAGE_SIZES, "type": "string"},
                ],
                "title": "Image Size",
                "default": "landscape_4_3",
            },
            "num_inference_steps": {
                "minimum": 1, "maximum": 50, "type": "integer", "default": 28,
                "title": "Num Inference Steps",
            },
            "seed": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Seed"},
            "guidance_scale": {
                "minimum": 1, "maximum": 20, "type": "number", "default": 3.5,
                "title": "Guidance scale (CFG)",
            },
            "sync_mode": {"type": "boolean", "default": False, "title": "Sync Mode"},
            "num_images": {
                "minimum": 1, "maximum": 4, "type": "integer", "default": 1, "title": "Num Images"
            },
            "enable_safety_checker": {
                "type": "boolean", "default": True, "title": "Enable Safety Checker"
            },
            "output_format": {"enum": ["jpeg", "png"], "type": "string", "default": "jpeg"},
            "acceleration": {
                "enum": ["none", "regular", "high"], "type": "string", "default": "none"
            },
        },
    }  # fmt: skip


def _size(title: str) -> dict[str, Any]:
    return {
        "type": "integer",
        "title": title,
        "default": 512,
        "exclusiveMinimum": 0,
        "maximum": 14142,
    }


def fal_openapi_document(endpoint_id: str) -> dict[str, Any]:
    """fal's OpenAPI document of an endpoint's queue, as GET …/openapi.json answers it."""
    queued = {"$ref": "#/components/schemas/QueueStatus"}
    request = f"/{endpoint_id}/requests/{{request_id}}"
    return {
        "openapi": "3.0.4",
        "info": {"title": "Queue OpenAPI for " + endpoint_id, "version": "1.0.0"},
        "servers": [{"url": "https://queue.fal.run"}],
        "security": [{"apiKeyAuth": []}],
        "components": {
            "securitySchemes": {
                "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
            "schemas": {
                "QueueStatus": {
                    "type": "object",
                    "required": ["status", "request_id"],
                    "properties": {
                        "status": {
                            "type": "string",
                            "enum": ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"],
                        },
                        "request_id": {"type": "string"},
                    },
                },
                "FluxDevInput": _fal_input(),
                "ImageSize": {
                    "title": "ImageSize",
                    "type": "object",
                    "x-fal-order-properties": ["width", "height"],
                    "properties": {"width": _size("Width"), "height": _size("Height")},
                },
                "FluxDevOutput": {"type": "object", "properties": {"images": {"type": "array"}}},
            },
        },
        "paths": {
            f"{request}/status": {"get": {"responses": {"200": _json(queued)}}},
            f"{request}/cancel": {"put": {"responses": {"200": _json({"type": "object"})}}},
            f"/{endpoint_id}": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/FluxDevInput"}
                            }
                        },
                    },
                    "responses": {"200": _json(queued)},
                }
            },
            request: {
                "get": {"responses": {"200": _json({"$ref": "#/components/schemas/FluxDevOutput"})}}
            },
        },
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "Successful Response",
        "content": {"application/json": {"schema": schema}},
    }
