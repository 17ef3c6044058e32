"""The Prometheus adapter of the Metrics port, and the queue counts it scrapes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.request
from functools import partial
from pathlib import Path

import prometheus_client
import pytest
from prometheus_client.parser import text_string_to_metric_families

from genmedia.adapters.metrics import PrometheusMetrics
from genmedia.adapters.metrics.null import NoMetrics
from genmedia.application.operations.stats import QueueStats, queue_stats
from genmedia.application.ports import Metrics
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.scheduling import tier_of
from genmedia.domain.status import Status
from tests.fakes import FakeQueue


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


STATS = QueueStats(
    jobs_by_status={"pending": 3, "processing": 1, "completed": 7, "failed": 0, "cancelled": 0},
    depth_by_tier={"paid": 2, "free": 1},
)


def test_recorded_events_are_rendered_with_their_labels() -> None:
    metrics = PrometheusMetrics()
    metrics.job_finished("completed", "bfl", 12.5)
    metrics.job_finished("completed", "bfl", 3.0)
    metrics.job_finished("failed", "local", 0.2)
    metrics.job_dispatched(0.04, "paid")
    metrics.provider_error("bfl", "rate_limited")

    found = samples(metrics.render())

    assert (
        found[("genmedia_jobs_finished_total", (("provider", "bfl"), ("status", "completed")))] == 2
    )
    assert (
        found[("genmedia_jobs_finished_total", (("provider", "local"), ("status", "failed")))] == 1
    )
    assert found[("genmedia_job_duration_seconds_count", (("provider", "bfl"),))] == 2
    assert found[("genmedia_job_duration_seconds_sum", (("provider", "bfl"),))] == 15.5
    assert found[("genmedia_dispatch_lag_seconds_bucket", (("le", "0.05"), ("tier", "paid")))] == 1
    assert found[("genmedia_dispatch_lag_seconds_bucket", (("le", "0.025"), ("tier", "paid")))] == 0
    errors = (("code", "rate_limited"), ("provider", "bfl"))
    assert found[("genmedia_provider_errors_total", errors)] == 1


def test_negative_times_from_clock_skew_count_as_zero() -> None:
    metrics = PrometheusMetrics()
    metrics.job_dispatched(-2.0, "free")
    found = samples(metrics.render())
    assert found[("genmedia_dispatch_lag_seconds_sum", (("tier", "free"),))] == 0


def test_each_instance_has_its_own_registry_and_the_global_one_stays_empty() -> None:
    first, second = PrometheusMetrics(), PrometheusMetrics()
    first.provider_error("fal", "timeout")

    assert b'genmedia_provider_errors_total{code="timeout",provider="fal"} 1.0' in first.render()
    assert b"timeout" not in second.render()
    assert first.registry is not second.registry
    assert b"genmedia_" not in prometheus_client.generate_latest(prometheus_client.REGISTRY)


def test_the_gauges_are_asked_for_at_every_render() -> None:
    calls = []

    def gauges() -> QueueStats:
        calls.append(1)
        return STATS

    metrics = PrometheusMetrics(gauges)
    assert calls == []

    found = samples(metrics.render())
    metrics.render()

    assert len(calls) == 2
    assert found[("genmedia_jobs", (("status", "pending"),))] == 3
    assert found[("genmedia_jobs", (("status", "completed"),))] == 7
    assert found[("genmedia_queue_depth", (("tier", "paid"),))] == 2
    assert found[("genmedia_queue_depth", (("tier", "free"),))] == 1
    assert found[("genmedia_queue_stats_up", ())] == 1


def test_a_failing_count_still_renders_the_rest() -> None:
    def gauges() -> QueueStats:
        raise ConnectionError("database is down")

    metrics = PrometheusMetrics(gauges)
    metrics.job_finished("completed", "local", 1.0)

    found = samples(metrics.render())

    assert found[("genmedia_queue_stats_up", ())] == 0
    assert not any(name == "genmedia_jobs" for name, _ in found)
    key = ("genmedia_jobs_finished_total", (("provider", "local"), ("status", "completed")))
    assert found[key] == 1


def test_serve_answers_scrapes_over_http() -> None:
    metrics = PrometheusMetrics(lambda: STATS)
    metrics.job_finished("cancelled", "local", 1.0)
    server = metrics.serve(0)
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read()
    finally:
        server.shutdown()
        server.server_close()
    assert b'genmedia_jobs_finished_total{provider="local",status="cancelled"} 1.0' in body
    assert b'genmedia_queue_depth{tier="paid"} 2.0' in body


def test_no_metrics_accepts_everything_and_records_nothing() -> None:
    metrics = NoMetrics()
    assert isinstance(metrics, Metrics)
    results = [
        metrics.job_finished("completed", "local", 1.0),
        metrics.job_dispatched(0.1, "free"),
        metrics.provider_error("local", "boom"),
    ]
    assert results == [None, None, None]
    assert vars(metrics) == {}


RECORD = textwrap.dedent(
    """
    from genmedia.adapters.metrics import PrometheusMetrics
    metrics = PrometheusMetrics()
    metrics.job_finished("completed", "local", 2.0)
    metrics.provider_error("local", "boom")
    """
)
RENDER = textwrap.dedent(
    """
    import sys
    from genmedia.adapters.metrics import PrometheusMetrics
    from genmedia.application.operations.stats import QueueStats
    stats = QueueStats(jobs_by_status={"pending": 4}, depth_by_tier={"free": 4})
    sys.stdout.write(PrometheusMetrics(lambda: stats).render().decode())
    """
)


def test_with_a_multiprocess_directory_any_process_renders_the_sum_of_all(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(RECORD)
    run(RECORD)
    found = samples(run(RENDER).encode())

    finished = ("genmedia_jobs_finished_total", (("provider", "local"), ("status", "completed")))
    assert found[finished] == 2
    assert found[("genmedia_job_duration_seconds_sum", (("provider", "local"),))] == 4
    assert found[("genmedia_provider_errors_total", (("code", "boom"), ("provider", "local")))] == 2
    assert found[("genmedia_jobs", (("status", "pending"),))] == 4


@pytest.mark.parametrize(
    ("priority", "tier"), [(0, "free"), (-1, "free"), (1, "paid"), (9, "paid")]
)
def test_the_tier_of_a_priority(priority: int, tier: str) -> None:
    assert tier_of(priority) == tier


def test_queue_stats_count_every_status_and_tier(uow, user) -> None:
    feature_id = next(iter(uow.db.features))
    with uow:
        request = uow.requests.add(
            GenerationRequest(
                user_id=user.id,
                feature_id=feature_id,
                user_prompt="a cat",
                final_prompt="a cat",
                jobs=[
                    Job(user_id=user.id, feature_id=feature_id, index=i, priority=p)
                    for i, p in enumerate((0, 0, 2, 5))
                ],
            )
        )
        request.jobs[3].start("w1")
        uow.commit()

    stats = queue_stats(uow=uow)

    assert stats.jobs_by_status == {
        Status.PENDING.value: 3,
        Status.PROCESSING.value: 1,
        Status.COMPLETED.value: 0,
        Status.FAILED.value: 0,
        Status.CANCELLED.value: 0,
    }
    assert stats.depth_by_tier == {"paid": 1, "free": 2}
    rendered = samples(PrometheusMetrics(partial(queue_stats, uow=uow)).render())
    assert rendered[("genmedia_queue_depth", (("tier", "free"),))] == 2


def test_the_jobs_waiting_on_a_provider_and_the_poll_messages_held_are_gauges(
    uow, clock, user
) -> None:
    feature_id = next(iter(uow.db.features))
    with uow:
        request = uow.requests.add(
            GenerationRequest(
                user_id=user.id,
                feature_id=feature_id,
                user_prompt="a cat",
                final_prompt="a cat",
                jobs=[Job(user_id=user.id, feature_id=feature_id, index=i) for i in range(3)],
            )
        )
        for job in request.jobs[:2]:
            job.start("w1")
        token = request.jobs[0].record_task("t1", None, None, clock.now())
        uow.commit()
    queue = FakeQueue()
    queue.send_poll(request.jobs[0].id or 0, 1.0, token)
    queue.send_poll(request.jobs[0].id or 0, 1.0, token)  # a duplicate: the gauges diverge

    rendered = samples(PrometheusMetrics(partial(queue_stats, uow=uow, queue=queue)).render())

    assert rendered[("genmedia_jobs_waiting_on_provider", ())] == 1
    assert rendered[("genmedia_poll_messages", ())] == 2
    without_queue = samples(PrometheusMetrics(partial(queue_stats, uow=uow)).render())
    assert ("genmedia_poll_messages", ()) not in without_queue
