"""The bare handler of `http.templates_ratio`: `python -m bench.http_bare PORT`.

One Litestar route, served by granian exactly as `genmedia serve` serves the API, with no
middleware, auth or presenter. It runs the SQL statements that GET /v1/templates ran (handed
over in GENMEDIA_BENCH_BARE_SQL by bench.http, which recorded them) on the connection pool of
a container built from the same GENMEDIA_* settings, and answers the rows as a JSON page.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from litestar import Litestar, get

from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.serve import run_granian

TARGET = "bench.http_bare:app"


def app() -> Litestar:
    """The bare app: one GET route that replays the recorded statements."""
    container = build_container()
    engine = container.engine()
    statements: list[tuple[str, Any]] = json.loads(os.environ["GENMEDIA_BENCH_BARE_SQL"])

    @get("/bare/templates", sync_to_thread=True)
    def templates() -> dict[str, Any]:
        rows: list[dict[str, Any]] = []
        with engine.connect() as connection:
            for statement, parameters in statements:
                result = connection.exec_driver_sql(statement, parameters)
                if result.returns_rows:
                    rows = [dict(row) for row in result.mappings()]
        return {"items": rows, "next_cursor": None}

    return Litestar(route_handlers=[templates], debug=False, logging_config=None)


if __name__ == "__main__":
    run_granian("127.0.0.1", int(sys.argv[1]), 1, target=TARGET)
