"""A generation request or batch as a JSON document (API.md `POST /v1/requests`,
`POST /v1/batches`), checked field by field: every field of the wrong type is named at
once, before anything is looked up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from genmedia.application.generation.commands import SubmitBatch, SubmitRequest
from genmedia.application.inputs import is_whole, record_id, text
from genmedia.domain.errors import FieldError, InvalidValue, raise_collected

MAX_PROMPT = 10_000
MAX_MEDIA = 64
MAX_KEY = 64


def _optional_id(value: Any, field: str) -> int | None:
    return None if value is None else record_id(value, field)


def _prompt(value: Any, field: str) -> str:
    return "" if value is None else text(value, field, MAX_PROMPT)


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidValue(field, "must be a JSON object")
    return value


def _selection(value: Any, field: str) -> dict[str, str | list[str]]:
    chosen = _object(value, field)
    for name, picked in chosen.items():
        picks = picked if isinstance(picked, list) else [picked]
        if not all(isinstance(p, str) for p in picks) or len(name) > MAX_KEY:
            raise InvalidValue(f"{field}.{name}", "must be an option value or a list of them")
    return chosen


def _ids(value: Any, field: str) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_MEDIA:
        raise InvalidValue(field, f"must be a list of at most {MAX_MEDIA} media ids")
    return [record_id(item, f"{field}.{i}") for i, item in enumerate(value)]


def _media_ids(value: Any, field: str) -> list[int] | dict[str, list[int]]:
    if value is None:
        return []
    if isinstance(value, dict):
        return {str(slot): _ids(ids, f"{field}.{slot}") for slot, ids in value.items()}
    return _ids(value, field)


def _weight(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(field, "must be a number")
    return float(value)


READERS: dict[str, Callable[[Any, str], Any]] = {
    "feature_id": _optional_id,
    "template_id": _optional_id,
    "user_prompt": _prompt,
    "selected_options": _selection,
    "media_ids": _media_ids,
    "input_metadata": _object,
    "params": _object,
    "trained_model_id": _optional_id,
    "lora_weight": _weight,
    "project_id": _optional_id,
}
"""Each field of the document and how its value is read."""


def _count(value: Any, field: str) -> int:
    if not is_whole(value):
        raise InvalidValue(field, "must be a whole number")
    return int(value)


BATCH_READERS: dict[str, Callable[[Any, str], Any]] = {
    **{name: read for name, read in READERS.items() if name != "media_ids"},
    "reference_media_ids": _ids,
    "images_per_reference": _count,
}
"""Each field of a batch document and how its value is read."""


def _read(
    document: Any, readers: dict[str, Callable[[Any, str], Any]], what: str, *required: str
) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise InvalidValue("body", "must be a JSON object")
    values: dict[str, Any] = {}
    errors: list[FieldError] = [
        InvalidValue(name, "is required") for name in required if name not in document
    ]
    for name, value in document.items():
        reader = readers.get(name)
        try:
            if reader is None:
                raise InvalidValue(str(name), f"is not a field of a {what}")
            values[name] = reader(value, name)
        except FieldError as error:
            errors.append(error)
    raise_collected(errors)
    return values


def submit_from_document(user_id: int, document: Any) -> SubmitRequest:
    """The request a JSON document asks for; InvalidInput naming every bad field."""
    values = _read(document, READERS, "request")
    return SubmitRequest(user_id=user_id, template=values.pop("template_id", None), **values)


def batch_from_document(user_id: int, document: Any) -> SubmitBatch:
    """The batch a JSON document asks for; InvalidInput naming every bad field."""
    values = _read(document, BATCH_READERS, "batch", "reference_media_ids")
    return SubmitBatch(user_id=user_id, template=values.pop("template_id", None), **values)
