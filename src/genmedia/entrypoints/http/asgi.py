"""The app of a server process: `genmedia serve` points its ASGI server at `app` here.

Each server process builds its own container from the GENMEDIA_* environment. On the
embedded default (no GENMEDIA_REDIS_URL, so an in-process broker) the process also runs
the in-process worker, so a request made over HTTP completes with no other process; with
Redis, API processes only accept work and `genmedia worker` processes run it.
"""

from __future__ import annotations

from litestar import Litestar

from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.http.app import create_app
from genmedia.entrypoints.http.logs import configure_json_logging


def runs_worker(container: Container) -> bool:
    """Whether a server process runs the jobs itself: only with the in-process broker."""
    return not container.config.redis_url()


def app() -> Litestar:
    """The app of this server process, with its container (and worker) started and stopped
    by the app's lifespan."""
    configure_json_logging()
    container = build_container()
    served = create_app(container)
    if runs_worker(container):
        from genmedia.entrypoints.worker import WorkerRuntime

        runtime = WorkerRuntime(container)
        served.on_startup.append(runtime.start)
        served.on_shutdown.append(runtime.stop)
    served.on_shutdown.append(lambda: container.shutdown_resources())
    return served
