"""Execution: dispatching, running, rescuing and polling jobs, and provider webhooks."""

from __future__ import annotations

import os
from datetime import timedelta

from dependency_injector import providers

from genmedia.application.execution import dispatch, polls, rescue, webhooks
from genmedia.application.execution.policy import RetryPolicy
from genmedia.application.execution.runner import JobRunner
from genmedia.entrypoints.infrastructure import Infrastructure, worker_id
from genmedia.entrypoints.settings import provider_limits

config = Infrastructure.config
uow = Infrastructure.uow
clock = Infrastructure.clock
job_queue = Infrastructure.job_queue


class ExecutionServices(Infrastructure):
    """The dispatcher, the job runner, worker heartbeats, rescue and webhook intake."""

    heartbeat = providers.Callable(
        rescue.beat, providers.Callable(worker_id), providers.Callable(os.getpid), uow=uow
    )
    worker_stopped = providers.Callable(rescue.stopped, providers.Callable(worker_id), uow=uow)
    dispatch_policy = providers.Factory(
        dispatch.DispatchPolicy,
        batch=config.dispatch_batch,
        user_cap=config.user_concurrency,
        max_in_flight=config.max_in_flight,
        limits=providers.Callable(provider_limits, config.provider_concurrency),
    )
    dispatch_pending = providers.Callable(
        dispatch.dispatch_pending,
        uow=uow,
        queue=job_queue,
        clock=clock,
        policy=dispatch_policy,
        metrics=Infrastructure.metrics,
    )
    redispatch_lost = providers.Callable(
        dispatch.redispatch_lost, uow=uow, clock=clock, after_seconds=config.redispatch_after
    )
    rescue_orphans = providers.Callable(
        rescue.rescue_orphans,
        uow=uow.provider,
        queue=job_queue,
        clock=clock,
        heartbeat_timeout=config.heartbeat_timeout,
    )
    drop_stale_polls = providers.Callable(polls.drop_stale_polls, uow=uow, queue=job_queue)
    receive_webhook = providers.Callable(
        webhooks.receive_webhook,
        verifiers=Infrastructure.webhook_verifiers,
        uow=uow,
        queue=job_queue,
        clock=clock,
    )
    retry_policy = providers.Factory(
        RetryPolicy,
        job_timeout=providers.Callable(timedelta, seconds=config.job_timeout_seconds),
        base_delay=config.retry_base_delay,
        max_delay=config.retry_max_delay,
        webhook_pace=config.webhook_poll_interval,
    )
    job_runner = providers.ThreadSafeSingleton(
        JobRunner,
        uow=uow.provider,
        storage=Infrastructure.storage,
        images=Infrastructure.images,
        providers=Infrastructure.provider_gateways,
        queue=job_queue,
        clock=clock,
        worker_id=providers.Callable(worker_id),
        retry=retry_policy,
        metrics=Infrastructure.metrics,
        webhook_base=config.public_url,
    )
