"""Batch use cases (SPEC GEN-7): submit one request per reference image, all reserved
together, and read a user's batches with their requests."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from genmedia.application.generation.choices import load_choice
from genmedia.application.generation.commands import SubmitBatch
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.wallet import billing
from genmedia.application.wallet.billing import DEFAULT_HOLD_TTL
from genmedia.domain.batch import GenerationBatch
from genmedia.domain.batch_planning import plan_batch
from genmedia.domain.choice import MAX_SEED
from genmedia.domain.errors import NotFound
from genmedia.domain.media import Media
from genmedia.domain.trending import activity_hour


def _references(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, Media]:
    """The media of these ids that exist, by id (the domain checks whose they are)."""
    found = {}
    for media_id in dict.fromkeys(ids):
        try:
            found[media_id] = uow.media.get(media_id)
        except NotFound:
            continue
    return found


def submit_batch(
    cmd: SubmitBatch, *, uow: UnitOfWork, clock: Clock, hold_ttl: timedelta = DEFAULT_HOLD_TTL
) -> GenerationBatch:
    """Accept a batch: store it, its requests, their pending jobs and their credit holds in
    one transaction, the credits of every job reserved in one movement of the wallet.

    InsufficientCredits (for the whole batch), or a validation error naming the field, is
    raised with nothing stored or reserved.
    """
    seed, now = secrets.randbelow(MAX_SEED + 1), clock.now()
    with uow:
        choice = load_choice(uow, cmd.shared())
        found = _references(uow, cmd.reference_media_ids)
        batch = plan_batch(
            choice, cmd.reference_media_ids, found, cmd.images_per_reference, seed=seed, now=now
        )
        uow.batches.add(batch)
        for request in batch.requests:
            uow.requests.add(request)
        billing.reserve_for_requests(uow, batch.requests, hold_ttl)
        if batch.template_id is not None:
            uow.trends.count(batch.template_id, activity_hour(now), uses=len(batch.requests))
        uow.commit()
    return batch


def batch_of(user_id: int, batch_id: int, *, uow: UnitOfWork) -> GenerationBatch:
    """The user's live batch with its requests; NotFound for anyone else's."""
    with uow:
        uow.read_snapshot()
        batch = uow.batches.get(batch_id)
        batch.check_seen_by(user_id)
        _load_requests(uow, [batch])
    return batch


def batch_details(batch_id: int, *, uow: UnitOfWork) -> GenerationBatch:
    """Any batch with its requests (for trusted callers: the CLI, operators)."""
    with uow:
        uow.read_snapshot()
        batch = uow.batches.get(batch_id)
        _load_requests(uow, [batch])
    return batch


def list_batches(
    user_id: int, *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[GenerationBatch]:
    """The user's live batches with their requests, newest first."""
    check_window(after, limit, 1)
    with uow:
        uow.read_snapshot()
        batches = uow.batches.list_for_user(
            user_id, before_id=after[0] if after else None, limit=limit + 1
        )
        page = page_of(batches, limit, lambda b: (b.id or 0,))
        _load_requests(uow, page.items)
    return page


def _load_requests(uow: UnitOfWork, batches: Sequence[GenerationBatch]) -> None:
    """Give the batches their requests and the images each made, read in two statements."""
    requests = uow.requests.list_for_batches([batch.id or 0 for batch in batches])
    made = uow.media.made_by_requests([request.id or 0 for request in requests])
    for batch in batches:
        batch.take_requests(requests, made)
