"""`genmedia serve`: the HTTP API under granian, a production ASGI server.

Granian was measured against uvicorn on this machine (one process, wrk -c16, PostgreSQL and
Redis): GET /healthz 3,525–3,848 req/s against 2,197–2,435; GET /v1/me 261–289 against
226–240 on a loaded database. See docs/http.md.
"""

from __future__ import annotations

import argparse
import sys

from genmedia.entrypoints.container import Container

TARGET = "genmedia.entrypoints.http.asgi:app"


def run_granian(host: str, port: int, workers: int) -> None:
    """Serve the app of `asgi.app` with `workers` granian processes."""
    from granian import Granian
    from granian.constants import Interfaces

    server = Granian(
        TARGET,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_access=False,
    )
    server.serve()


def cmd_serve(container: Container, args: argparse.Namespace) -> int:
    """Serve the HTTP API until SIGTERM; on the embedded default with its worker inside."""
    config = container.config
    host = args.host or config.http_host()
    port = args.port or config.http_port()
    workers = args.workers or config.http_workers()
    if workers > 1 and not config.redis_url():
        print(
            "error: several server processes need GENMEDIA_REDIS_URL: the embedded broker "
            "and its worker live in one process",
            file=sys.stderr,
        )
        return 2
    mode = "API only" if config.redis_url() else "with the in-process worker"
    print(f"genmedia API on http://{host}:{port} ({workers} process(es), {mode})", flush=True)
    run_granian(host, port, workers)
    return 0
