"""A small, strict JSON-Schema subset for provider parameters (SPEC CAT-5, GEN-3).

Supported keywords: type, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
multipleOf, minLength, maxLength, pattern, properties, required, additionalProperties, items,
minItems, maxItems, anyOf, default, title, description. A schema using any other keyword is
refused when the provider model is defined, so no rule is ever silently skipped.
"""

from __future__ import annotations

import math
import re
from typing import Any

from genmedia.domain.errors import FieldError, InvalidParam, InvalidValue

SUPPORTED = frozenset(
    {
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minLength", "maxLength", "pattern", "properties", "required",
        "additionalProperties", "items", "minItems", "maxItems", "anyOf", "default",
        "title", "description",
    }
)  # fmt: skip

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list, tuple), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}  # fmt: skip
TYPE_NAMES = frozenset(_TYPES)


def check_schema(schema: Any, path: str = "param_schema") -> None:
    """Refuse a schema that uses keywords this validator does not enforce, or gives one of
    them a value of the wrong shape."""
    if not isinstance(schema, dict):
        raise InvalidValue(path, "must be a JSON object (a schema)")
    unknown = set(schema) - SUPPORTED
    if unknown:
        raise InvalidValue(path, f"unsupported JSON-Schema keywords: {sorted(unknown)}")
    for keyword, value in schema.items():
        check, shape = _SHAPES.get(keyword, (_anything, ""))
        if not check(value):
            raise InvalidValue(f"{path}.{keyword}", shape)
    for name, sub in schema.get("properties", {}).items():
        check_schema(sub, f"{path}.properties.{name}")
    if isinstance(schema.get("items"), dict):
        check_schema(schema["items"], f"{path}.items")
    if isinstance(schema.get("additionalProperties"), dict):
        check_schema(schema["additionalProperties"], f"{path}.additionalProperties")
    if "anyOf" in schema:
        _check_branches(schema["anyOf"], f"{path}.anyOf")


def _anything(value: Any) -> bool:
    return True


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type(value: Any) -> bool:
    names = [value] if isinstance(value, str) else value
    return isinstance(names, list) and bool(names) and all(n in _TYPES for n in names)


def _pattern(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        re.compile(value)
    except re.error:
        return False
    return True


_NUMBER = (_number, "must be a number")
_COUNT = (_count, "must be a whole number")
# Each keyword's check of its value, and what the value must be.
_SHAPES: dict[str, tuple[Any, str]] = {
    "type": (_type, f"must be one of {sorted(_TYPES)} or a list of them"),
    "enum": (lambda v: isinstance(v, list), "must be a list"),
    "minimum": _NUMBER, "maximum": _NUMBER, "exclusiveMinimum": _NUMBER,
    "exclusiveMaximum": _NUMBER,
    "multipleOf": (lambda v: _number(v) and v > 0, "must be a number above 0"),
    "minLength": _COUNT, "maxLength": _COUNT, "minItems": _COUNT, "maxItems": _COUNT,
    "pattern": (_pattern, "must be a valid regular expression"),
    "properties": (lambda v: isinstance(v, dict), "must be an object of schemas"),
    "required": (
        lambda v: isinstance(v, list) and all(isinstance(n, str) for n in v),
        "must be a list of property names",
    ),
    "additionalProperties": (lambda v: isinstance(v, bool | dict), "must be a boolean or a schema"),
    "items": (lambda v: isinstance(v, dict), "must be a schema"),
}  # fmt: skip


def _check_branches(branches: Any, path: str) -> None:
    if not isinstance(branches, list) or not branches:
        raise InvalidValue(path, "must be a non-empty list of schemas")
    for index, branch in enumerate(branches):
        if not isinstance(branch, dict):
            raise InvalidValue(f"{path}[{index}]", "must be a schema")
        check_schema(branch, f"{path}[{index}]")


def defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """The default value of each top-level property that declares one."""
    props = schema.get("properties", {})
    return {name: sub["default"] for name, sub in props.items() if "default" in sub}


def validate(value: Any, schema: dict[str, Any], field: str = "params") -> list[FieldError]:
    """Every way `value` breaks `schema`, each naming its field."""
    errors: list[FieldError] = []
    _validate(value, schema, field, errors)
    return errors


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[name])


def _type_names(schema: dict[str, Any]) -> list[str]:
    expected = schema.get("type")
    return [expected] if isinstance(expected, str) else list(expected or [])


def _accepts_type(value: Any, schema: dict[str, Any]) -> bool:
    names = _type_names(schema)
    return not names or any(_is_type(value, n) for n in names)


def _validate(value: Any, schema: dict[str, Any], field: str, errors: list[FieldError]) -> None:
    if not _accepts_type(value, schema):
        errors.append(InvalidParam(field, f"must be of type {' or '.join(_type_names(schema))}"))
        return
    if "anyOf" in schema:
        _check_any(value, schema["anyOf"], field, errors)
    if "enum" in schema and value not in schema["enum"]:
        errors.append(InvalidParam(field, f"must be one of {schema['enum']}"))
    if "const" in schema and value != schema["const"]:
        errors.append(InvalidParam(field, f"must be {schema['const']!r}"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, field, errors)
    if isinstance(value, str):
        _check_string(value, schema, field, errors)
    if isinstance(value, list | tuple):
        _check_array(list(value), schema, field, errors)
    if isinstance(value, dict):
        _check_object(value, schema, field, errors)


def _check_any(
    value: Any, branches: list[dict[str, Any]], field: str, errors: list[FieldError]
) -> None:
    """At least one branch must accept the value; when only one branch takes its type, that
    branch's errors say what is wrong, else the forms allowed are listed."""
    found = [validate(value, branch, field) for branch in branches]
    if not found or any(not branch_errors for branch_errors in found):
        return
    typed = [e for b, e in zip(branches, found, strict=True) if _accepts_type(value, b)]
    if len(typed) == 1:
        errors.extend(typed[0])
        return
    forms = " or ".join(_form(branch) for branch in branches)
    errors.append(InvalidParam(field, f"must be {forms}"))


def _form(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return f"one of {schema['enum']}"
    if "const" in schema:
        return repr(schema["const"])
    names = _type_names(schema)
    return "of type " + " or ".join(names) if names else "of another form"


def _check_number(
    value: float, schema: dict[str, Any], field: str, errors: list[FieldError]
) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(InvalidParam(field, f"must be at least {schema['minimum']}"))
    if "maximum" in schema and value > schema["maximum"]:
        errors.append(InvalidParam(field, f"must be at most {schema['maximum']}"))
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        errors.append(InvalidParam(field, f"must be above {schema['exclusiveMinimum']}"))
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        errors.append(InvalidParam(field, f"must be below {schema['exclusiveMaximum']}"))
    step = schema.get("multipleOf")
    if step and not _is_multiple(value, step):
        errors.append(InvalidParam(field, f"must be a multiple of {step}"))


def _is_multiple(value: float, step: float) -> bool:
    """Whether value / step is whole; a quotient too large for a float counts as not whole
    (no input may make the check itself fail)."""
    try:
        quotient = value / step
    except OverflowError:
        return False
    return math.isfinite(quotient) and quotient == int(quotient)


def _check_string(value: str, schema: dict[str, Any], field: str, errors: list[FieldError]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(InvalidParam(field, f"must have at least {schema['minLength']} characters"))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(InvalidParam(field, f"must have at most {schema['maxLength']} characters"))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(InvalidParam(field, f"must match {schema['pattern']}"))


def _check_array(
    value: list[Any], schema: dict[str, Any], field: str, errors: list[FieldError]
) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(InvalidParam(field, f"must have at least {schema['minItems']} items"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(InvalidParam(field, f"must have at most {schema['maxItems']} items"))
    if isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _validate(item, schema["items"], f"{field}[{i}]", errors)


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], field: str, errors: list[FieldError]
) -> None:
    props: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            errors.append(InvalidParam(f"{field}.{name}", "is required"))
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in props:
            _validate(item, props[name], f"{field}.{name}", errors)
        elif extra is False:
            errors.append(InvalidParam(f"{field}.{name}", "is not a known parameter"))
        elif isinstance(extra, dict):
            _validate(item, extra, f"{field}.{name}", errors)
