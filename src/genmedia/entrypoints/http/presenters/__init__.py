"""Response bodies of the HTTP API: attrs classes (so the OpenAPI document describes them)
and the functions that build them from domain objects, one module per API.md section."""
