"""Falling back to a template's or feature's legacy model (seed 000), on fakes (issue #18)."""

from __future__ import annotations

import pytest

from genmedia.application.errors import ProviderError
from genmedia.application.execution.runner import JobRunner
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.domain.job_input import FallbackModel, JobInput
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.wallet import EntryKind
from tests.fakes import FakeProvider, FakeQueue
from tests.runners import fake_runner
from tests.unit.test_trained_models import add_trained_model, text_to_image

SCHEMA = {
    "type": "object",
    "properties": {
        "width": {"type": "integer", "default": 768},
        "aspect_ratio": {"type": "string"},
    },
    "additionalProperties": False,
}


def spare_model(uow, **overrides) -> ProviderModel:
    """A legacy model at another provider, dearer than the primary."""
    fields = {
        "provider": "spare",
        "model_slug": "spare-t2i",
        "label": "Spare",
        "param_schema": SCHEMA,
        "cost_per_use": 7,
    }
    with uow:
        model = uow.provider_models.add(ProviderModel(**(fields | overrides)))
        uow.commit()
    return model


def name_legacy(uow, model: ProviderModel, *, on_template: bool = True) -> None:
    template = uow.templates.get_by_slug("neon-city")
    if on_template:
        uow.db.templates[template.id].legacy_provider_model_id = model.id
    else:
        uow.db.features[template.feature_id].legacy_provider_model_id = model.id


def submit(uow, clock, user, **options) -> GenerationRequest:
    cmd = SubmitRequest(user_id=user.id, template="neon-city", **options)
    return submit_request(cmd, uow=uow, clock=clock)


def test_a_fallback_input_runs_the_legacy_model_at_the_quoted_credits() -> None:
    fallback = FallbackModel(provider="spare", model="spare-t2i", params={"width": 768})
    primary = JobInput(provider="local", model="local-t2i", params={"w": 1}, credits=3)
    moved = JobInput(provider="local", model="local-t2i", credits=3, fallback=fallback)
    after = moved.on_fallback()
    assert (after.provider, after.model, dict(after.params)) == (
        "spare",
        "spare-t2i",
        {"width": 768},
    )
    assert (after.credits, after.fallback, after.fell_back_from) == (3, None, "local/local-t2i")
    assert JobInput.from_document(after.as_document()) == after
    assert JobInput.from_document(moved.as_document()) == moved
    with pytest.raises(ValueError, match="no fallback"):
        primary.on_fallback()


def test_a_templates_legacy_model_is_each_jobs_fallback_with_params_resolved_for_it(
    uow, clock, user
) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user, input_metadata={"batch_size": 2})
    expected = FallbackModel(provider="spare", model="spare-t2i", params={"width": 768})
    assert [job.input.fallback for job in request.jobs] == [expected, expected]


def test_a_features_legacy_model_is_the_fallback_when_the_template_names_none(
    uow, clock, user
) -> None:
    name_legacy(uow, spare_model(uow), on_template=False)
    job = submit(uow, clock, user).jobs[0]
    assert job.input.fallback is not None
    assert job.input.fallback.model == "spare-t2i"


def test_the_templates_legacy_model_wins_over_its_features(uow, clock, user) -> None:
    name_legacy(uow, spare_model(uow), on_template=False)
    name_legacy(uow, spare_model(uow, model_slug="spare-two"))
    job = submit(uow, clock, user).jobs[0]
    assert job.input.fallback is not None
    assert job.input.fallback.model == "spare-two"


@pytest.mark.parametrize(
    "overrides",
    [{"is_active": False}, {"param_schema": {**SCHEMA, "required": ["seedling"]}}],
    ids=["inactive", "refuses_the_params"],
)
def test_a_legacy_model_that_cannot_run_the_request_is_no_fallback(
    uow, clock, user, overrides
) -> None:
    name_legacy(uow, spare_model(uow, **overrides))
    assert submit(uow, clock, user).jobs[0].input.fallback is None


def runner(uow, clock, providers) -> JobRunner:
    return fake_runner(uow, clock, providers)


def unavailable(times: int) -> FakeProvider:
    return FakeProvider(
        errors=[ProviderError("provider_unavailable", "503", retryable=True)] * times
    )


def test_a_job_falls_back_once_its_attempts_at_an_unavailable_primary_are_spent(
    uow, clock, user
) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user)
    job_id, quoted = request.jobs[0].id, request.estimated_cost
    primary, spare = unavailable(3), FakeProvider()
    work = runner(uow, clock, {"local": primary, "spare": spare})
    for _ in range(3):
        work.run(job_id)
    job = uow.db.requests[request.id].job(job_id)
    assert (job.status, job.attempts, job.input.provider) == (Status.PENDING, 0, "spare")
    assert job.error_code == "provider_unavailable"
    work.run(job_id)
    job = uow.db.requests[request.id].job(job_id)
    assert (job.status, len(primary.calls), len(spare.calls)) == (Status.COMPLETED, 3, 1)
    assert spare.calls[0].model == "spare-t2i"
    assert spare.calls[0].params == {"width": 768}
    assert job.output_metadata["model"] == "spare-t2i"
    assert job.input.fell_back_from == "local/local-t2i"
    assert job.credits_used == quoted  # not the spare model's dearer price
    charges = [e.delta for e in uow.db.entries if e.kind is EntryKind.GENERATION]
    assert charges == [-quoted]


def test_a_job_whose_primary_provider_is_not_configured_falls_back_at_once(
    uow, clock, user
) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user)
    job_id = request.jobs[0].id
    spare = FakeProvider()
    work = runner(uow, clock, {"spare": spare})
    work.run(job_id)
    job = uow.db.requests[request.id].job(job_id)
    assert (job.status, job.error_code, job.input.provider) == (
        Status.PENDING,
        "provider_not_configured",
        "spare",
    )
    work.run(job_id)
    assert uow.db.requests[request.id].job(job_id).status is Status.COMPLETED


def test_a_job_falls_back_only_once_and_then_fails_as_its_fallback_did(uow, clock, user) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user)
    job_id = request.jobs[0].id
    work = runner(uow, clock, {"local": unavailable(3), "spare": unavailable(3)})
    for _ in range(6):
        work.run(job_id)
    job = uow.db.requests[request.id].job(job_id)
    assert (job.status, job.error_code, job.input.provider) == (
        Status.FAILED,
        "provider_unavailable",
        "spare",
    )
    with uow:
        assert uow.wallets.get(user.id).held == 0


def test_a_failure_that_is_not_the_providers_unavailability_does_not_fall_back(
    uow, clock, user
) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user)
    refused = FakeProvider(errors=[ProviderError("content_moderated", "no")])
    runner(uow, clock, {"local": refused, "spare": FakeProvider()}).run(request.jobs[0].id)
    job = uow.db.requests[request.id].job(request.jobs[0].id)
    assert (job.status, job.input.provider) == (Status.FAILED, "local")


def test_a_job_past_its_deadline_does_not_fall_back(uow, clock, user) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user)
    job = request.jobs[0]
    job.deadline_at = clock.now()
    assert not job.falls_back_on("provider_unavailable", clock.now())
    job.deadline_at = None
    assert job.falls_back_on("provider_unavailable", clock.now())
    assert not job.falls_back_on("provider_error", clock.now())


def test_a_request_with_a_trained_model_has_no_fallback(uow, clock, user) -> None:
    name_legacy(uow, spare_model(uow), on_template=False)
    trained = add_trained_model(uow, user.id)  # trained on local-t2i, the primary
    request = submit_request(
        text_to_image(user, uow, trained_model_id=trained.id), uow=uow, clock=clock
    )
    assert {job.input.fallback for job in request.jobs} == {None}


def test_a_legacy_model_that_needs_an_image_the_request_lacks_is_no_fallback(
    uow, clock, user
) -> None:
    slots = {"image_slots": [{"name": "image", "label": "A photo", "min": 1, "max": 1}]}
    name_legacy(uow, spare_model(uow, capabilities=slots))
    assert submit(uow, clock, user).jobs[0].input.fallback is None


class TaskThenGone(FakeProvider):
    """Its task is accepted, then the provider says it cannot run it (non-retryable)."""

    def __init__(self) -> None:
        super().__init__(polls=3)
        self.cancelled: list[str] = []

    def poll(self, task_id, polling_url):  # type: ignore[no-untyped-def]
        raise ProviderError("provider_unavailable", "could not run the request")

    def cancel(self, task_id, polling_url) -> None:  # type: ignore[no-untyped-def]
        self.cancelled.append(task_id)


def test_a_job_that_falls_back_from_a_task_cancels_it_and_forgets_its_cost(
    uow, clock, user
) -> None:
    name_legacy(uow, spare_model(uow))
    request = submit(uow, clock, user)
    job_id = request.jobs[0].id
    primary, queue = TaskThenGone(), FakeQueue()
    work = fake_runner(uow, clock, {"local": primary, "spare": FakeProvider()}, queue)
    work.run(job_id)
    assert uow.db.requests[request.id].job(job_id).provider_cost is not None
    work.poll(*queue.take_poll(job_id))
    job = uow.db.requests[request.id].job(job_id)
    assert primary.cancelled == [f"t{job_id}"]
    assert (job.status, job.input.provider, job.provider_task_id) == (Status.PENDING, "spare", None)
    assert job.provider_cost is None
