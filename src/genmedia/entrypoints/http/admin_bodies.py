"""The OpenAPI description of the admin routes' bodies, written from the same `Field`
tables the use cases read them with (application/admin/documents.py).

A creation's schema marks the required fields; an update's (PATCH) has none required, and
fields left out keep their values. The routes take the body as plain JSON so that every bad
field is named at once; the operation classes below put the schema in its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from genmedia.application.admin.documents import Field, Fields

_TYPES = {
    "string": OpenAPIType.STRING,
    "integer": OpenAPIType.INTEGER,
    "boolean": OpenAPIType.BOOLEAN,
    "object": OpenAPIType.OBJECT,
    "array": OpenAPIType.ARRAY,
    "datetime": OpenAPIType.STRING,
}


def field_schema(field: Field) -> Schema:
    """The schema of one field's values."""
    kind = _TYPES[field.type]
    options: dict[str, Any] = {}
    if field.type == "string":
        options = {"max_length": field.max_length, "enum": list(field.choices) or None}
    elif field.type == "integer":
        options = {"minimum": field.minimum, "maximum": field.maximum}
    elif field.type == "datetime":
        options = {"format": OpenAPIFormat.DATE_TIME}
    elif field.type == "array":
        options = {"items": field_schema(field.items or Field(type="string"))}
        options["max_items"] = field.max_items
    elif field.fields is not None:
        return document_schema(field.fields, creating=True, nullable=field.nullable)
    if field.nullable and options.get("enum"):
        options["enum"] = [*options["enum"], None]
    return Schema(type=[kind, OpenAPIType.NULL] if field.nullable else kind, **options)


def document_schema(fields: Fields, *, creating: bool, nullable: bool = False) -> Schema:
    """The schema of a document of these fields (the required ones required on creation)."""
    required = [name for name, field in fields.items() if field.required] if creating else []
    kind = OpenAPIType.OBJECT
    return Schema(
        type=[kind, OpenAPIType.NULL] if nullable else kind,
        properties={name: field_schema(field) for name, field in fields.items()},
        required=required or None,
        additional_properties=False,
    )


def body_operation(fields: Fields, *, creating: bool) -> type[Operation]:
    """An operation class whose request body is a document of these fields."""
    body = RequestBody(
        content={
            "application/json": OpenAPIMediaType(schema=document_schema(fields, creating=creating))
        },
        required=True,
    )

    def with_body(self: Operation) -> None:
        self.request_body = body

    return dataclass(type("DocumentOperation", (Operation,), {"__post_init__": with_body}))
