"""Identity (SPEC IDN-1, IDN-2): sessions, API tokens, users and Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from genmedia.application.identity import sessions, users
from genmedia.application.operations import health, idempotency
from genmedia.domain.limits import Limit
from genmedia.entrypoints.infrastructure import Infrastructure

config = Infrastructure.config
uow = Infrastructure.uow
clock = Infrastructure.clock
hasher = Infrastructure.hasher


class IdentityServices(Infrastructure):
    """Registering, logging in, tokens, the caller's profile, users and idempotency keys."""

    session_policy = providers.ThreadSafeSingleton(
        sessions.SessionPolicy,
        lifetime=providers.Callable(timedelta, seconds=config.session_ttl_seconds),
        per_account=providers.Factory(
            Limit, config.login_failures_per_account, config.login_failure_window
        ),
        per_address=providers.Factory(
            Limit, config.login_failures_per_address, config.login_failure_window
        ),
    )
    register = providers.Callable(
        sessions.register,
        uow=uow,
        hasher=hasher,
        clock=clock,
        policy=session_policy,
        welcome_credits=config.welcome_credits,
    )
    log_in = providers.Callable(
        sessions.log_in,
        uow=uow,
        hasher=hasher,
        clock=clock,
        counters=Infrastructure.counters,
        policy=session_policy,
    )
    log_out = providers.Callable(sessions.log_out, uow=uow)
    authenticate = providers.Callable(sessions.authenticate, uow=uow, clock=clock)
    issue_api_token = providers.Callable(sessions.issue_api_token, uow=uow, clock=clock)
    revoke_api_token = providers.Callable(sessions.revoke_api_token, uow=uow)
    expire_sessions = providers.Callable(sessions.expire_sessions, uow=uow, clock=clock)
    profile = providers.Callable(users.profile, uow=uow)
    find_user = providers.Callable(users.find_user, uow=uow)
    check_readiness = providers.Callable(health.check_readiness, probes=Infrastructure.probes)
    # Idempotency-Key (API.md, Conventions): one run per caller and key, the answer kept.
    claim_idempotency_key = providers.Callable(
        idempotency.claim_key,
        uow=uow,
        clock=clock,
        lifetime=providers.Callable(timedelta, seconds=config.idempotency_ttl_seconds),
    )
    answer_idempotency_key = providers.Callable(idempotency.answer_key, uow=uow)
    release_idempotency_key = providers.Callable(idempotency.release_key, uow=uow)
    expire_idempotency_keys = providers.Callable(idempotency.expire_keys, uow=uow, clock=clock)
    create_user = providers.Callable(
        users.create_user,
        uow=uow,
        hasher=hasher,
        clock=clock,
        welcome_credits=config.welcome_credits,
    )
    ensure_user = providers.Callable(
        users.ensure_user,
        uow=uow,
        hasher=hasher,
        clock=clock,
        welcome_credits=config.welcome_credits,
    )
