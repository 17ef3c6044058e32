"""The HTTP API (see API.md and docs/http.md): `create_app(container)` builds the ASGI app."""
