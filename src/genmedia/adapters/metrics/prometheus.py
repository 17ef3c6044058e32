"""Prometheus metrics of the job pipeline (issue: jobs by status, queue depth per tier,
dispatch lag, job duration and provider errors).

Every `PrometheusMetrics` owns its `CollectorRegistry`; nothing is registered in
prometheus_client's global registry and importing this module registers nothing.

Counted by the process that does the work:

- `genmedia_jobs_finished_total{status,provider}` and
  `genmedia_job_duration_seconds{provider}`: jobs ending completed, failed or cancelled.
- `genmedia_dispatch_lag_seconds{tier}`: from a job being due to its message being sent.
- `genmedia_provider_errors_total{provider,code}`: failed provider calls by error code.
- `genmedia_http_requests_total{method,route,status}` and
  `genmedia_http_request_duration_seconds{method,route}`: requests the HTTP API answered,
  by route template (`/v1/requests/{request_id}`), so ids do not multiply the series.

Read from the database and the broker when scraped, through the `gauges` callable (e.g.
`functools.partial(application.stats.queue_stats, uow=..., queue=...)`):

- `genmedia_jobs{status}`: live jobs per status.
- `genmedia_queue_depth{tier}`: pending jobs per priority tier (`paid`, `free`).
- `genmedia_jobs_waiting_on_provider`: running jobs waiting on their provider's task.
- `genmedia_poll_messages`: poll messages the broker holds (queued, delayed, or fetched
  and not yet acknowledged). Each waiting job has one poll chain, so this follows the
  gauge above; a gap that grows means poll messages pile up (or are lost).
- `genmedia_queue_stats_up`: 1 when those counts could be read, 0 when a read failed
  (the scrape still answers, without the other gauges).

Several processes. A worker started with `--processes N` is N processes, each with its own
counters. Either:

- give each process its own port (`GENMEDIA_METRICS_PORT` + process index) and scrape them
  all; Prometheus sums across targets, or
- set `PROMETHEUS_MULTIPROC_DIR` to an empty directory (emptied before the processes start)
  in the environment of every process, before prometheus_client is imported. Each process
  then writes its samples to files there, and `render`/`serve` in any one of them expose the
  sum over all processes (prometheus_client's `MultiProcessCollector`).

In both cases give the database `gauges` to one scraped process only (the dispatcher or the
API), or the same queue is counted once per target.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import start_http_server
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from genmedia.application.operations.stats import QueueStats
from genmedia.application.ports import Metrics

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)

QueueGauges = Callable[[], QueueStats]


class _QueueCollector:
    """Asks for the queue's counts at every scrape and turns them into gauges."""

    def __init__(self, gauges: QueueGauges) -> None:
        self._gauges = gauges

    def _families(self) -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily("genmedia_jobs", "Live jobs by status.", labels=["status"]),
            GaugeMetricFamily(
                "genmedia_queue_depth", "Pending jobs by priority tier.", labels=["tier"]
            ),
            GaugeMetricFamily(
                "genmedia_jobs_waiting_on_provider",
                "Running jobs waiting on their provider's task.",
            ),
            GaugeMetricFamily(
                "genmedia_poll_messages",
                "Poll messages the broker holds: queued, delayed or being handled.",
            ),
            GaugeMetricFamily(
                "genmedia_queue_stats_up", "Whether the job counts could be read (1) or not (0)."
            ),
        )

    def describe(self) -> Iterable[Metric]:
        """The families, without asking the database (called when registered)."""
        return self._families()

    def collect(self) -> Iterable[Metric]:
        """The current counts; a failing query only sets genmedia_queue_stats_up to 0."""
        jobs, depth, waiting, polls, up = self._families()
        try:
            stats = self._gauges()
        except Exception:
            log.warning("could not read the queue stats for metrics", exc_info=True)
            up.add_metric([], 0)
            return [up]
        for status, count in sorted(stats.jobs_by_status.items()):
            jobs.add_metric([status], count)
        for tier, count in sorted(stats.depth_by_tier.items()):
            depth.add_metric([tier], count)
        waiting.add_metric([], stats.waiting_on_provider)
        up.add_metric([], 1)
        if stats.poll_messages is None:
            return [jobs, depth, waiting, up]
        polls.add_metric([], stats.poll_messages)
        return [jobs, depth, waiting, polls, up]


class PrometheusMetrics(Metrics):
    """The pipeline's metrics in a registry of this instance's own."""

    def __init__(self, gauges: QueueGauges | None = None) -> None:
        self.registry = CollectorRegistry()
        self.jobs_finished = Counter(
            "genmedia_jobs_finished",
            "Jobs that ended, by final status and provider.",
            ["status", "provider"],
            registry=self.registry,
        )
        self.job_duration = Histogram(
            "genmedia_job_duration_seconds",
            "Run time of finished jobs, by provider.",
            ["provider"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.dispatch_lag = Histogram(
            "genmedia_dispatch_lag_seconds",
            "Time from a job being due to its message being sent, by priority tier.",
            ["tier"],
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.provider_errors = Counter(
            "genmedia_provider_errors",
            "Failed provider calls, by provider and error code.",
            ["provider", "code"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "genmedia_http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "genmedia_http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )
        self.exposed = self._exposed_registry(gauges)

    def _exposed_registry(self, gauges: QueueGauges | None) -> CollectorRegistry:
        """What a scrape reads: this registry, or every process's files in multi-process mode."""
        if os.environ.get(MULTIPROC_ENV):
            exposed = CollectorRegistry()
            MultiProcessCollector(exposed)  # type: ignore[no-untyped-call]
        else:
            exposed = self.registry
        if gauges is not None:
            exposed.register(_QueueCollector(gauges))
        return exposed

    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        """Count a job that ended and observe how long it ran."""
        self.jobs_finished.labels(status=status, provider=provider).inc()
        self.job_duration.labels(provider=provider).observe(max(seconds, 0.0))

    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        """Observe how late a job was handed to the broker."""
        self.dispatch_lag.labels(tier=tier).observe(max(lag_seconds, 0.0))

    def provider_error(self, provider: str, code: str) -> None:
        """Count a failed provider call."""
        self.provider_errors.labels(provider=provider, code=code).inc()

    def http_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count an answered HTTP request and observe how long it took."""
        self.http_requests.labels(method=method, route=route, status=str(status)).inc()
        self.http_duration.labels(method=method, route=route).observe(max(seconds, 0.0))

    def render(self) -> bytes:
        """Every metric in Prometheus text format, e.g. for an API's GET /metrics."""
        return generate_latest(self.exposed)

    def serve(self, port: int, host: str = "127.0.0.1") -> WSGIServer:
        """Serve GET /metrics on `host:port` from a daemon thread; port 0 picks a free one.

        The server's `server_port` tells the port; `shutdown()` then `server_close()` stop it.
        """
        server, _thread = start_http_server(port, addr=host, registry=self.exposed)
        return server
