"""Reading a model's input schema out of the OpenAPI document a provider publishes (CAT-5)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

_ANNOTATIONS = ("title", "description")


def resolved(node: Any, document: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> Any:
    """`node` with each local `$ref` ("#/components/schemas/X") replaced by the schema it
    names, under the keywords beside it. A reference that points nowhere, or back into
    itself, becomes {} (any value): the provider still checks what it stood for."""
    if isinstance(node, list):
        return [resolved(item, document, seen) for item in node]
    if not isinstance(node, dict):
        return node
    beside = {key: resolved(value, document, seen) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return beside
    target = {} if ref in seen else resolved(_pointed(document, ref), document, seen | {ref})
    return {**target, **beside} if isinstance(target, dict) else beside


def _pointed(document: Mapping[str, Any], ref: str) -> Any:
    """What a local JSON pointer names in the document; None if it names nothing."""
    if not ref.startswith("#/"):
        return None
    found: Any = document
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        found = found.get(key) if isinstance(found, dict) else None
    return found


def input_params(
    schema: Mapping[str, Any],
    *,
    owned: Collection[str],
    fixed: Mapping[str, Any],
    is_file: Callable[[Mapping[str, Any]], bool] = lambda _: False,
) -> dict[str, Any]:
    """A model's input schema as params: without the fields the adapter fills from the
    request (`owned`, and file inputs, which come from the request's images), and with
    each field genmedia keeps fixed reduced to that one value."""
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    dropped = set(owned) | {name for name, sub in props.items() if _is_schema(sub) and is_file(sub)}
    kept = {name: sub for name, sub in props.items() if name not in dropped}
    for name, value in fixed.items():
        if _is_schema(kept.get(name)):
            notes = {key: kept[name][key] for key in _ANNOTATIONS if key in kept[name]}
            kept[name] = {**notes, "const": value}
    params = {"type": "object", **schema, "properties": kept}
    required = schema.get("required")
    if isinstance(required, list):
        params["required"] = [name for name in required if name not in dropped]
    return params


def _is_schema(value: Any) -> bool:
    return isinstance(value, dict)
