"""A provider's published input schema, narrowed to the subset `param_schema` enforces (CAT-5).

Providers publish their models' inputs as OpenAPI 3 / JSON Schema, with more keywords than
`param_schema` supports. Narrowing keeps every rule the subset can state exactly and loosens,
never tightens, the rest. The provider still checks the full schema when a job is submitted,
so a loosened rule only moves its error from our check to the provider's `invalid_input`.

- `allOf` parts are merged in. Where the schema and a part disagree, the schema's own keyword
  is kept, and among parts the first; `required` lists are joined.
- `oneOf` is read as `anyOf`; an `anyOf` of one branch is merged in like an `allOf` part.
- A `{"type": "null"}` branch, or OpenAPI 3.0's `nullable: true`, lets null through.
- OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` take the numeric form.
- These are dropped: every other keyword (`format`, `examples`, `x-…`, an unresolved `$ref`,
  `not`, …), a `type` name JSON Schema does not have, a `pattern` Python cannot compile, a
  bound that is not a number, and a `default` the narrowed schema itself refuses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from genmedia.domain import param_schema

_NULL = {"type": "null"}
_BOUNDS = ("minimum", "maximum", "multipleOf", "exclusiveMinimum", "exclusiveMaximum")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems")


def narrowed(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema in the subset `param_schema` enforces, loosened where it cannot be exact."""
    node = dict(schema)
    for part in _schemas(node.pop("allOf", None)):
        _merge(node, narrowed(part))
    nullable = node.pop("nullable", False) is True
    branches = [narrowed(b) for b in _schemas(node.pop("anyOf", None), node.pop("oneOf", None))]
    nullable = nullable or any(map(_only_null, branches))
    branches = [branch for branch in branches if not _only_null(branch)]
    if len(branches) == 1:
        _merge(node, branches[0])
    node = {key: value for key, value in node.items() if key in param_schema.SUPPORTED}
    if len(branches) > 1 and {} not in branches:
        node["anyOf"] = branches
    _narrow_parts(node)
    _narrow_values(node)
    if nullable:
        _allow_null(node)
    return _without_refused_default(node)


def _schemas(*values: Any) -> list[dict[str, Any]]:
    """The schemas listed in each of `values` (lists of schemas, or None)."""
    return [item for value in values if isinstance(value, list) for item in value if _is(item)]


def _is(value: Any) -> bool:
    return isinstance(value, dict)


def _only_null(branch: Mapping[str, Any]) -> bool:
    return _type_names(branch) == ["null"]


def _merge(into: dict[str, Any], part: Mapping[str, Any]) -> None:
    """Merge `part` into `into`, whose own keywords win (looser than requiring both)."""
    for key, value in part.items():
        if key == "required" and isinstance(value, list):
            into[key] = list(dict.fromkeys([*into.get(key, []), *value]))
        elif key == "properties" and _is(value) and _is(into.get(key)):
            into[key] = {**value, **into[key]}
        else:
            into.setdefault(key, value)


def _narrow_parts(node: dict[str, Any]) -> None:
    """Narrow the schemas nested in properties, items and additionalProperties."""
    if "properties" in node:
        found = node["properties"] if _is(node["properties"]) else {}
        node["properties"] = {name: narrowed(sub) for name, sub in found.items() if _is(sub)}
    if "items" in node:
        if _is(node["items"]):
            node["items"] = narrowed(node["items"])
        else:
            del node["items"]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        node["additionalProperties"] = narrowed(extra)
    elif "additionalProperties" in node and not isinstance(extra, bool):
        del node["additionalProperties"]


def _narrow_values(node: dict[str, Any]) -> None:
    """Turn or drop the values the validator could not apply as given."""
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if isinstance(node.get(key), bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            exclusive, inclusive = node.pop(key), node.pop(bound, None)
            if exclusive and inclusive is not None:
                node[key] = inclusive
            elif inclusive is not None:
                node[bound] = inclusive
    for key in _BOUNDS + _COUNTS:
        if key in node and not _is_number(node[key], whole=key in _COUNTS):
            del node[key]
    if node.get("multipleOf", 1) <= 0:
        del node["multipleOf"]
    names = [n for n in _type_names(node) if n in param_schema.TYPE_NAMES]
    node.pop("type", None)
    if names:
        node["type"] = names[0] if len(names) == 1 else names
    if "pattern" in node and not _compiles(node["pattern"]):
        del node["pattern"]
    for key in ("enum", "required"):
        if key in node and not isinstance(node[key], list):
            del node[key]
    if "required" in node:
        node["required"] = [name for name in node["required"] if isinstance(name, str)]


def _is_number(value: Any, *, whole: bool) -> bool:
    kinds = int if whole else (int, float)
    return isinstance(value, kinds) and not isinstance(value, bool)


def _type_names(node: Mapping[str, Any]) -> list[str]:
    named = node.get("type")
    found = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    return [name for name in found if isinstance(name, str)]


def _compiles(pattern: Any) -> bool:
    try:
        re.compile(pattern)
    except (re.error, TypeError):
        return False
    return True


def _allow_null(node: dict[str, Any]) -> None:
    if "type" in node:
        node["type"] = list(dict.fromkeys([*_type_names(node), "null"]))
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if "enum" in node and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    if "anyOf" in node:
        node["anyOf"] = [*node["anyOf"], dict(_NULL)]


def _without_refused_default(node: dict[str, Any]) -> dict[str, Any]:
    if "default" in node:
        rules = {key: value for key, value in node.items() if key != "default"}
        if param_schema.validate(node["default"], rules, "default"):
            del node["default"]
    return node
