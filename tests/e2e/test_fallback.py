"""Fallback through the real worker on PostgreSQL and Redis (issue #18, seed 000): a BFL
feature whose legacy model is at fal. BFL answers every submit with 503; once the job's
attempts at BFL are spent it falls back to fal, whose output is stored, and the user pays
the price quoted for the BFL request, not fal's dearer one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import wallet_transactions
from genmedia.application.generation.commands import SubmitRequest
from genmedia.domain.catalog import Feature
from genmedia.domain.provider_model import ProviderModel
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.presenters.generation import job_view
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import prepare, rows
from tests.integration.fake_bfl import ALWAYS, fake_bfl_server
from tests.integration.fake_bfl import API_KEY as BFL_KEY
from tests.integration.fake_fal import API_KEY as FAL_KEY
from tests.integration.fake_fal import fake_fal_server

pytestmark = pytest.mark.e2e


def bfl_feature_falling_back_to_fal(app: Container) -> int:
    """A BFL feature whose legacy model is the sample catalog's fal FLUX dev, which costs
    three times as much."""
    with app.uow() as uow:
        primary = uow.provider_models.add(
            ProviderModel(provider="bfl", model_slug="flux-dev", label="FLUX dev", cost_per_use=1)
        )
        legacy = uow.provider_models.get_by_slug("fal-ai/flux/dev")
        assert legacy is not None
        assert legacy.cost_per_use == 3
        feature = uow.features.add(
            Feature(
                name="BFL, else fal",
                provider_model_id=primary.id,
                legacy_provider_model_id=legacy.id,
            )
        )
        uow.commit()
    return feature.id or 0


def test_a_job_whose_primary_answers_503_falls_back_and_is_charged_the_quoted_price(
    stack: Stack,
) -> None:
    with fake_bfl_server(fail_submits=ALWAYS, fail_status=503) as bfl, fake_fal_server() as fal:
        stack.env.update(
            GENMEDIA_BFL_API_KEY=BFL_KEY,
            GENMEDIA_BFL_BASE_URL=bfl.base_url,
            GENMEDIA_FAL_API_KEY=FAL_KEY,
            GENMEDIA_FAL_BASE_URL=fal.base_url,
            GENMEDIA_FAL_POLL_AFTER="0.2",
        )
        with stack.container() as app:
            user = prepare(app, credits=100)
            before = app.wallet_of(user.id or 0)
            feature = bfl_feature_falling_back_to_fal(app)
            cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt="a fox")
            accepted = app.submit_request(cmd)
            worker = stack.worker("--threads", "2")
            try:

                def ended() -> bool:
                    return app.request_details(accepted.id or 0)[0].status.value == "completed"

                wait_until(ended, 90, "the job to fall back to fal and complete")
            finally:
                assert stop(worker) == 0, stack.logs()
            request, media = app.request_details(accepted.id or 0)
            (job,) = request.jobs
            after = app.wallet_of(user.id or 0)
            captures = rows(
                app,
                sa.select(wallet_transactions.c.amount).where(
                    wallet_transactions.c.reference_id == f"job:{job.id}:capture"
                ),
            )
    assert len(bfl.requests_to("/v1/flux-dev")) == 3  # every attempt at BFL, then no more
    assert len(fal.submits) == 1
    (request_id,) = fal.request_ids
    assert [app.storage().get(m.storage_path) for m in media] == [fal.file_bytes(request_id)]
    assert (job.input.provider, job.input.model) == ("fal", "fal-ai/flux/dev")
    assert (job.output_metadata or {})["model"] == "fal-ai/flux/dev"
    assert job.input.fell_back_from == "bfl/flux-dev"
    shown = job_view(job)  # what GET /v1/requests/{id} shows of the job
    assert (shown.provider, shown.model, shown.fell_back_from) == (
        "fal",
        "fal-ai/flux/dev",
        "bfl/flux-dev",
    )
    assert accepted.estimated_cost == job.credits_used == 1  # the BFL price it was quoted
    assert [abs(r.amount) for r in captures] == [job.credits_used]
    assert (after.balance, after.held) == (before.balance - accepted.estimated_cost, 0)
