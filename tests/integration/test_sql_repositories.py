"""The SQL repositories and unit of work keep the port contracts on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.errors import StaleAggregate
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.errors import AlreadyExists, InsufficientCredits, NotFound
from genmedia.domain.holds import CreditHold
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.template import ImageSlot, Option, OptionGroup, Template
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryKind, EntryType, Links, Posting, Wallet

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
HOUR = timedelta(hours=1)
SCHEMA = {
    "type": "object",
    "properties": {"steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 28}},
    "additionalProperties": False,
}


def _user(email: str = "ada@example.com") -> User:
    return User(email=email, name="Ada", password_hash="hash", priority=2, telegram_id=None)


def _feature(name: str = "portrait", **kw: Any) -> Feature:
    return Feature(name=name, system_prompt="be kind", properties={"cost_per_generation": 3}, **kw)


def _template(feature_id: int, slug: str = "studio") -> Template:
    hair = OptionGroup(
        group_name="hairColor",
        label="Hair colour",
        required=True,
        sort_order=1,
        options=[
            Option(value="black", label="Black", prompt_fragment="black hair", is_default=True),
            Option(value="red", label="Red", prompt_fragment="red hair", params={"seed": 7}),
        ],
    )
    backgrounds = OptionGroup(
        group_name="backgrounds",
        label="Backgrounds",
        multiple=True,
        options=[Option(value="city", label="City", icon="city.svg", sort_order=2)],
    )
    return Template(
        feature_id=feature_id,
        name="Studio",
        slug=slug,
        template_prompt="studio light",
        template_data={"style": "modern", "colors": ["red"]},
        price=5,
        capabilities={"faces": True},
        image_slots=[ImageSlot(name="face", label="A face photo", min=1, max=5)],
        system_images=["s3://refs/a.png"],
        option_groups=[backgrounds, hair],
        tags=["viral", "summer"],
        trend_start_date=NOW,
    )


def _model(slug: str = "flux-dev", *, default: bool = False) -> ProviderModel:
    return ProviderModel(
        provider="bfl",
        model_slug=slug,
        label="FLUX dev",
        category=ModelCategory.I2I,
        param_schema=SCHEMA,
        limits={"max_batch_size": 4},
        cost_per_use=2,
        is_default=default,
    )


def _request(
    user_id: int, feature_id: int, priorities: tuple[int, ...] = (0, 0)
) -> GenerationRequest:
    jobs = [
        Job(user_id=user_id, feature_id=feature_id, index=i, priority=p, input_json={"i": i})
        for i, p in enumerate(priorities)
    ]
    return GenerationRequest(
        user_id=user_id,
        feature_id=feature_id,
        user_prompt="a cat",
        final_prompt="be kind. a cat",
        selected_options={"hairColor": "red"},
        input_media_ids=[11, 12],
        input_metadata={"seed": 42, "negative_prompt": "blur"},
        generation_params={"steps": 28},
        estimated_cost=6,
        jobs=jobs,
    )


def _info(size: int = 1234) -> ImageInfo:
    return ImageInfo(file_format="png", width=64, height=32, file_size=size, blurhash="LEHV6nWB2y")


def _owner(engine: sa.Engine) -> tuple[int, int]:
    with SqlUnitOfWork(engine) as uow:
        user, feature = uow.users.add(_user()), uow.features.add(_feature())
        uow.commit()
    assert user.id is not None
    assert feature.id is not None
    return user.id, feature.id


@pytest.fixture
def owner(engine: sa.Engine) -> tuple[int, int]:
    """A committed user and feature: (user_id, feature_id)."""
    return _owner(engine)


def _add_request(
    engine: sa.Engine, owner: tuple[int, int], priorities: tuple[int, ...] = (0, 0)
) -> GenerationRequest:
    with SqlUnitOfWork(engine) as uow:
        request = uow.requests.add(_request(*owner, priorities=priorities))
        uow.commit()
    return request


# --- users and the unit of work ----------------------------------------------------------


def test_a_user_round_trips_and_is_found_by_email_in_any_case(engine: sa.Engine) -> None:
    moment = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    with SqlUnitOfWork(engine) as uow:
        user = _user()
        user.last_login_at = moment
        uow.users.add(user)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.users.get(user.id or 0)
        assert uow.users.get_by_email("  ADA@Example.com ") is not None
        assert uow.users.get_by_email("bob@example.com") is None
    assert (loaded.email, loaded.name, loaded.priority) == ("ada@example.com", "Ada", 2)
    assert loaded.last_login_at == moment
    assert loaded.last_login_at.tzinfo is UTC
    assert loaded.created_at is not None
    assert loaded.created_at.tzinfo is UTC


def test_a_taken_email_is_already_exists_and_the_transaction_goes_on(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(_user())
        with pytest.raises(AlreadyExists):
            uow.users.add(_user())
        uow.users.add(_user("bob@example.com"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is not None
        assert uow.users.get_by_email("bob@example.com") is not None


def test_a_unit_of_work_left_without_commit_rolls_back(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(_user())
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is None


def test_an_error_inside_the_block_rolls_back_and_propagates(engine: sa.Engine) -> None:
    def fail_midway() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.users.add(_user())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is None


def test_one_unit_of_work_runs_a_fresh_transaction_per_block(engine: sa.Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.users.add(_user())
        uow.commit()
    with uow:
        uow.users.add(_user("bob@example.com"))
    with uow:
        assert uow.users.get_by_email("ada@example.com") is not None
        assert uow.users.get_by_email("bob@example.com") is None


def test_work_after_a_commit_needs_another_commit(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(_user())
        uow.commit()
        uow.users.add(_user("bob@example.com"))
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is not None
        assert uow.users.get_by_email("bob@example.com") is None


def test_missing_rows_are_not_found(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        for lookup in (
            uow.users.get,
            uow.features.get,
            uow.templates.get,
            uow.provider_models.get,
            uow.requests.get,
            uow.requests.get_by_job,
            uow.media.get,
        ):
            with pytest.raises(NotFound):
                lookup(404)
        assert uow.templates.get_by_slug("nope") is None
        assert uow.provider_models.get_by_slug("nope") is None
        assert uow.tags.get_by_name("nope") is None
        assert uow.features.get_by_name("nope") is None


# --- catalog ---------------------------------------------------------------------------


def test_features_round_trip_and_active_ones_list_by_category_then_order(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        second = uow.features.add(_feature("b", order_index=2))
        first = uow.features.add(_feature("a", order_index=1))
        uow.features.add(_feature("video", category=MediaCategory.VIDEO))
        uow.features.add(_feature("off", is_active=False))
        uow.features.add(_feature("gone", deleted_at=NOW))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        images = uow.features.list_active(MediaCategory.IMAGE)
        everything = uow.features.list_active()
        loaded = uow.features.get(first.id or 0)
        assert uow.features.get_by_name("gone") is None
        assert uow.features.get_by_name("a") is not None
    assert [f.id for f in images] == [first.id, second.id]
    assert {f.name for f in everything} == {"a", "b", "video"}
    assert loaded.properties == {"cost_per_generation": 3}
    assert loaded.cost_per_generation == 3
    assert loaded.system_prompt == "be kind"


def test_tags_are_unique_by_name_and_listed_by_sort_order(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.tags.add(Tag(name="summer", sort_order=2, color_from="#f00", color_to="#0f0"))
        uow.tags.add(Tag(name="viral", sort_order=1))
        uow.tags.add(Tag(name="hidden", is_active=False))
        with pytest.raises(AlreadyExists):
            uow.tags.add(Tag(name="viral"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert [t.name for t in uow.tags.list()] == ["viral", "summer"]
        summer = uow.tags.get_by_name("summer")
    assert summer is not None
    assert (summer.color_from, summer.color_to) == ("#f00", "#0f0")


def test_a_provider_model_round_trips_with_its_json_schema(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        model = uow.provider_models.add(_model())
        uow.provider_models.add(_model("flux-pro", default=True))
        with pytest.raises(AlreadyExists):
            uow.provider_models.add(_model())
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.provider_models.get(model.id or 0)
        default = uow.provider_models.get_default()
        by_slug = uow.provider_models.get_by_slug("flux-dev")
    assert loaded.param_schema == SCHEMA
    assert loaded.limits == {"max_batch_size": 4}
    assert loaded.category is ModelCategory.I2I
    assert loaded.cost_per_use == 2
    assert loaded.resolve_params() == {"steps": 28}
    assert default is not None
    assert default.model_slug == "flux-pro"
    assert by_slug is not None
    assert by_slug.id == model.id


def test_no_default_provider_model_is_none(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.provider_models.add(_model())
        assert uow.provider_models.get_default() is None


def test_a_template_round_trips_with_options_slots_and_tags(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    with SqlUnitOfWork(engine) as uow:
        tag = uow.tags.add(Tag(name="viral"))
        template = _template(owner[1])
        template.tag_id = tag.id
        uow.templates.add(template)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.templates.get(template.id or 0)
    assert [g.group_name for g in loaded.option_groups] == ["backgrounds", "hairColor"]
    assert loaded.option_groups == template.option_groups
    assert all(o.id is not None for g in loaded.option_groups for o in g.options)
    assert loaded.image_slots == (ImageSlot(name="face", label="A face photo", min=1, max=5),)
    assert loaded.tags == ["viral", "summer"]
    assert loaded.tag_id == tag.id
    assert loaded.template_data == {"style": "modern", "colors": ["red"]}
    assert (loaded.price, loaded.system_images, loaded.trend_start_date) == (
        5,
        ["s3://refs/a.png"],
        NOW,
    )
    assert loaded.choose_options({})[0][0].value == "black"


def test_templates_load_their_groups_and_options_in_order_empty_groups_included(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    def option(value: str, order: int) -> Option:
        return Option(value=value, label=value.title(), sort_order=order)

    first, second = _template(owner[1], "first"), _template(owner[1], "second")
    first.option_groups = [
        OptionGroup(group_name="mood", label="Mood", sort_order=2, options=[option("calm", 1)]),
        OptionGroup(group_name="empty", label="Nothing yet", sort_order=1, options=[]),
        OptionGroup(
            group_name="light",
            label="Light",
            sort_order=3,
            options=[option("dusk", 2), option("noon", 1), option("dawn", 3)],
        ),
    ]
    second.option_groups = []
    with SqlUnitOfWork(engine) as uow:
        uow.templates.add(first)
        uow.templates.add(second)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = {t.slug: t for t in uow.templates.list_active()}
    groups = loaded["first"].option_groups
    assert [(g.group_name, [o.value for o in g.options]) for g in groups] == [
        ("empty", []),
        ("mood", ["calm"]),
        ("light", ["noon", "dusk", "dawn"]),
    ]
    assert loaded["second"].option_groups == ()


def test_templates_are_unique_by_slug_and_listed_when_active_and_live(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    with SqlUnitOfWork(engine) as uow:
        kept = uow.templates.add(_template(owner[1], "kept"))
        gone = _template(owner[1], "gone")
        gone.deleted_at = NOW
        uow.templates.add(gone)
        with pytest.raises(AlreadyExists):
            uow.templates.add(_template(owner[1], "kept"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert [t.id for t in uow.templates.list_active(owner[1])] == [kept.id]
        assert uow.templates.list_active(owner[1] + 1) == []
        assert uow.templates.get_by_slug("gone") is None
        assert uow.templates.get(gone.id or 0).deleted_at == NOW


# --- requests --------------------------------------------------------------------------


def test_a_request_round_trips_with_its_jobs_in_index_order(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(1, 5, 3))
    assert request.id is not None
    assert all(j.request_id == request.id for j in request.jobs)
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(request.id)
        by_job = uow.requests.get_by_job(request.jobs[2].id or 0)
    assert by_job.id == request.id
    assert [j.index for j in loaded.jobs] == [0, 1, 2]
    assert [j.id for j in loaded.jobs] == [j.id for j in request.jobs]
    assert [j.priority for j in loaded.jobs] == [1, 5, 3]
    assert loaded.jobs[1].input_json == {"i": 1}
    assert loaded.jobs[1].status is Status.PENDING
    assert loaded.input_media_ids == [11, 12]
    assert loaded.generation_params == {"steps": 28}
    assert loaded.input_metadata == {"seed": 42, "negative_prompt": "blur"}
    assert (loaded.status, loaded.estimated_cost, loaded.user_custom_input) == (
        Status.PENDING,
        6,
        None,
    )


def test_starting_and_completing_a_job_is_saved(engine: sa.Engine, owner: tuple[int, int]) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get_by_job(job_id)
        loaded.start_job(job_id, "worker-1", NOW)
        loaded.job(job_id).await_provider("task-9", "https://poll/9")
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        started = uow.requests.get(request.id or 0)
        started.complete_job(job_id, NOW, {"model": "flux"}, credits=3)
        uow.requests.save(started)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        done = uow.requests.get(request.id or 0)
    job = done.job(job_id)
    assert (job.status, job.worker_id, job.attempts) == (Status.COMPLETED, "worker-1", 1)
    assert (job.started_at, job.completed_at, job.output_metadata) == (NOW, NOW, {"model": "flux"})
    assert (job.provider_task_id, job.provider_polling_url) == ("task-9", "https://poll/9")
    assert (done.status, done.credits_charged) == (Status.PROCESSING, 3)
    assert done.jobs[1].status is Status.PENDING


def test_a_job_added_to_a_loaded_request_is_inserted_on_save(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0,))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(request.id or 0)
        loaded.jobs.append(Job(user_id=owner[0], feature_id=owner[1], index=1, priority=9))
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        again = uow.requests.get(request.id or 0)
    assert [j.priority for j in again.jobs] == [0, 9]
    assert again.jobs[1].id == loaded.jobs[1].id


def test_a_user_lists_live_requests_newest_first(engine: sa.Engine, owner: tuple[int, int]) -> None:
    first, second, third = (_add_request(engine, owner) for _ in range(3))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(second.id or 0)
        loaded.soft_delete(NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        listed = uow.requests.list_for_user(owner[0])
        assert [r.id for r in uow.requests.list_for_user(owner[0], limit=1)] == [third.id]
        assert uow.requests.list_for_user(owner[0] + 1) == []
    assert [r.id for r in listed] == [third.id, first.id]
    assert all(len(r.jobs) == 2 for r in listed)


def test_a_save_from_an_outdated_load_is_stale(engine: sa.Engine, owner: tuple[int, int]) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    slow, fast = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    with slow:
        outdated = slow.requests.get(request.id or 0)
    with fast:
        current = fast.requests.get(request.id or 0)
        current.start_job(job_id, "fast", NOW)
        fast.requests.save(current)
        fast.commit()
    with slow:
        outdated.start_job(job_id, "slow", NOW)
        with pytest.raises(StaleAggregate):
            slow.requests.save(outdated)
        slow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.requests.get(request.id or 0).job(job_id).worker_id == "fast"


def test_saving_one_copy_makes_an_older_copy_stale_in_the_same_unit_of_work(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    with SqlUnitOfWork(engine) as uow:
        older, newer = uow.requests.get(request.id or 0), uow.requests.get(request.id or 0)
        newer.cancel(NOW)
        uow.requests.save(newer)
        older.metadata = {"note": "late"}
        with pytest.raises(StaleAggregate):
            uow.requests.save(older)


def test_a_job_changed_behind_the_request_fails_the_guard_and_writes_nothing(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[1].id or 0
    uow = SqlUnitOfWork(engine)
    with uow:
        loaded = uow.requests.get(request.id or 0)
    with engine.begin() as connection:
        claim = sa.update(generation_jobs).where(generation_jobs.c.id == job_id)
        connection.execute(claim.values(status=Status.PROCESSING, attempts=1))
    with uow:
        loaded.cancel(NOW)
        with pytest.raises(StaleAggregate):
            uow.requests.save(loaded)
        uow.commit()
    with engine.connect() as connection:
        version = sa.select(generation_requests.c.version, generation_requests.c.status)
        row = connection.execute(version.where(generation_requests.c.id == request.id)).one()
        statuses = connection.execute(
            sa.select(generation_jobs.c.status).order_by(generation_jobs.c.job_index)
        ).scalars()
        assert (row.version, row.status) == (1, Status.PENDING)
        assert list(statuses) == [Status.PENDING, Status.PROCESSING]


def test_saving_a_request_not_loaded_here_is_refused(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    with SqlUnitOfWork(engine) as uow, pytest.raises(ValueError, match="loaded"):
        uow.requests.save(request)


def test_overlapping_claims_of_one_job_leave_exactly_one_winner(
    clean_postgres_engine: sa.Engine,
) -> None:
    postgres_engine = clean_postgres_engine
    owner_pg = _owner(postgres_engine)
    request = _add_request(postgres_engine, owner_pg)
    job_id = request.jobs[0].id or 0
    first, second = SqlUnitOfWork(postgres_engine), SqlUnitOfWork(postgres_engine)
    outcome: dict[str, str] = {}
    with first, second:
        mine, theirs = first.requests.get_by_job(job_id), second.requests.get_by_job(job_id)
        mine.start_job(job_id, "first", NOW)
        first.requests.save(mine)

        def claim() -> None:
            theirs.start_job(job_id, "second", NOW)
            try:
                second.requests.save(theirs)
                outcome["second"] = "saved"
            except StaleAggregate:
                outcome["second"] = "stale"

        racer = threading.Thread(target=claim)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive(), "the second save should wait for the first transaction"
        first.commit()
        racer.join(10)
    assert outcome == {"second": "stale"}
    with SqlUnitOfWork(postgres_engine) as uow:
        job = uow.requests.get(request.id or 0).job(job_id)
    assert (job.worker_id, job.attempts) == ("first", 1)


def test_claiming_jobs_writes_what_the_domain_claim_would(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0, 0))
    fresh, with_deadline, running, _ = (j.id or 0 for j in request.jobs)
    with engine.begin() as connection:
        jobs = generation_jobs
        fixed = NOW + timedelta(hours=5)
        connection.execute(
            sa.update(jobs).where(jobs.c.id == with_deadline).values(deadline_at=fixed)
        )
        connection.execute(
            sa.update(jobs).where(jobs.c.id == running).values(status=Status.PROCESSING)
        )
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        before = {job.id: job for job in uow.jobs.lock(ids)}
    later, timeout = NOW + timedelta(minutes=3), timedelta(minutes=30)
    with SqlUnitOfWork(engine) as uow:
        claimed = uow.jobs.claim(
            [running, with_deadline, fresh, with_deadline, 987_654], "w9", later, timeout
        )
        uow.commit()
    assert [job.id for job in claimed] == [fresh, with_deadline]
    for job in claimed:
        expected = before[job.id]
        expected.claim("w9", later, timeout)
        assert attrs.asdict(job) == attrs.asdict(expected)
    with SqlUnitOfWork(engine) as uow:
        stored = {job.id: job for job in uow.jobs.lock(ids)}
    assert [attrs.asdict(stored[job.id or 0]) for job in claimed] == [
        attrs.asdict(job) for job in claimed
    ]
    assert stored[with_deadline].deadline_at == fixed
    assert stored[fresh].deadline_at == (before[fresh].created_at or NOW) + timeout
    assert (stored[running].attempts, stored[running].worker_id) == (0, None)


def test_a_claimed_job_saves_later_changes_against_its_claimed_state(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    with SqlUnitOfWork(engine) as uow:
        [job] = uow.jobs.claim([job_id], "w1", NOW, timedelta(minutes=30))
        job.complete(NOW, {"model": "flux"}, credits_used=3)
        uow.jobs.save(job)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.get(job_id).status is Status.COMPLETED


def test_saving_completed_jobs_writes_their_outcome_where_they_still_run_that_attempt(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        claimed = uow.jobs.claim(ids, "w1", NOW, HOUR)
        uow.commit()
    done, retried, cancelling, repeated = (attrs.evolve(job) for job in claimed)
    with engine.begin() as connection:
        jobs = generation_jobs
        connection.execute(
            sa.update(jobs).where(jobs.c.id == retried.id).values(attempts=2)
        )  # rescued and claimed again meanwhile
        connection.execute(
            sa.update(jobs).where(jobs.c.id == cancelling.id).values(cancel_requested=True)
        )
    later = NOW + timedelta(minutes=2)
    for number, job in enumerate((done, retried, cancelling, repeated)):
        job.complete(later, {"model": "flux", "n": number, "quote": 'a "b" {c}'}, number)
        job.provider_cost = 0.25 * number
    with SqlUnitOfWork(engine) as uow:
        written = uow.jobs.save_completed([repeated, cancelling, retried, done])
        uow.commit()
    assert written == [done, cancelling, repeated]  # the jobs given, in id order
    with SqlUnitOfWork(engine) as uow:
        stored = {job.id: job for job in uow.jobs.lock(ids)}
    for job in (done, repeated):
        assert attrs.asdict(stored[job.id]) == attrs.asdict(job)
    assert stored[cancelling.id].status is Status.COMPLETED
    assert stored[cancelling.id].cancel_requested, "a column it did not change is kept"
    assert (stored[retried.id].status, stored[retried.id].attempts) == (Status.PROCESSING, 2)
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.save_completed([attrs.evolve(repeated, completed_at=later)]) == []
    for job in (done, retried):
        with SqlUnitOfWork(engine) as uow:
            assert uow.jobs.save_completed([job]) == []


def _waits_until(finish: Callable[[], None], action: Callable[[], None], why: str) -> None:
    """Run `action` in a thread: it must still be waiting half a second later, and end once
    `finish` (which commits the transaction it waits for) has run."""
    racer = threading.Thread(target=action)
    racer.start()
    racer.join(0.5)
    assert racer.is_alive(), why
    finish()
    racer.join(10)
    assert not racer.is_alive()


def test_saving_a_completed_job_locks_its_request_until_the_transaction_ends(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine), priorities=(0, 0))
    with SqlUnitOfWork(engine) as uow:
        first, second = uow.jobs.claim([j.id or 0 for j in request.jobs], "w1", NOW, HOUR)
        uow.commit()
    for job in (first, second):
        job.complete(NOW, {}, 1)
    statuses: list[Status] = []
    completing, racing = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    with completing:
        assert completing.jobs.save_completed([first]) == [first]

        def complete_the_sibling() -> None:
            with racing:
                racing.jobs.save_completed([second])
                statuses.append(racing.requests.follow_jobs(request.id or 0))
                racing.commit()

        def finish() -> None:  # only now does this transaction write the request
            completing.requests.follow_all([request.id or 0], locked=True)
            completing.commit()

        _waits_until(finish, complete_the_sibling, "the sibling should wait for the request")
    assert statuses == [Status.COMPLETED], "the last to save sees both jobs completed"


@pytest.mark.parametrize("locked", [False, True])
def test_requests_follow_their_jobs_with_or_without_taking_their_locks(
    engine: sa.Engine, owner: tuple[int, int], locked: bool
) -> None:
    done, running, untouched = (_add_request(engine, owner, (0, 0)) for _ in range(3))
    empty = _add_request(engine, owner, ())
    jobs = generation_jobs
    with engine.begin() as connection:
        for job, (status, credits) in zip(
            [*done.jobs, *running.jobs],
            [(Status.COMPLETED, 3), (Status.FAILED, 0), (Status.COMPLETED, 2), (Status.PENDING, 0)],
            strict=True,
        ):
            values = {"status": status, "credits_used": credits}
            connection.execute(sa.update(jobs).where(jobs.c.id == job.id).values(values))
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == running.id)
            .values(status=Status.PROCESSING)
        )
    ids = [done.id or 0, running.id or 0, untouched.id or 0, empty.id or 0]
    with SqlUnitOfWork(engine) as uow:
        statuses = uow.requests.follow_all(ids, locked=locked)
        uow.commit()
    assert statuses == {
        done.id: Status.COMPLETED,
        running.id: Status.PROCESSING,
        untouched.id: Status.PENDING,
        empty.id: Status.PENDING,
    }
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.requests.get(request_id) for request_id in ids]
    assert [(r.status, r.credits_charged) for r in stored] == [
        (Status.COMPLETED, 3),
        (Status.PROCESSING, 2),
        (Status.PENDING, 0),
        (Status.PENDING, 0),
    ]
    with SqlUnitOfWork(engine) as uow, pytest.raises(NotFound):
        uow.requests.follow_all([*ids, 987_654], locked=locked)


def test_saving_completed_jobs_refuses_a_job_that_did_not_complete(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    with SqlUnitOfWork(engine) as uow:
        [job] = uow.jobs.claim([request.jobs[0].id or 0], "w1", NOW, HOUR)
        with pytest.raises(ValueError, match=r"Job\.complete"):
            uow.jobs.save_completed([job])


def test_two_claims_of_the_same_jobs_at_once_give_each_job_to_one_of_them(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine), priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    first, second = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    taken: dict[str, list[int]] = {}
    with first, second:
        taken["first"] = [j.id or 0 for j in first.jobs.claim(ids[:2], "first", NOW, HOUR)]

        def claim() -> None:
            taken["second"] = [j.id or 0 for j in second.jobs.claim(ids, "second", NOW, HOUR)]
            second.commit()

        _waits_until(first.commit, claim, "the second claim should wait for the first")
    assert taken == {"first": ids[:2], "second": ids[2:]}
    with SqlUnitOfWork(engine) as uow:
        assert [(j.worker_id, j.attempts) for j in uow.jobs.lock(ids)] == [
            ("first", 1),
            ("first", 1),
            ("second", 1),
        ]


def test_a_claim_starts_the_pending_requests_of_the_jobs_it_claims(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    fresh, running, untouched = (_add_request(engine, owner) for _ in range(3))
    with engine.begin() as connection:
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == running.id)
            .values(status=Status.PROCESSING, credits_charged=4)
        )
    ids = [fresh.jobs[0].id or 0, running.jobs[1].id or 0]
    with SqlUnitOfWork(engine) as uow:
        claimed = uow.jobs.claim(ids, "w1", NOW, HOUR)
        uow.commit()
    assert [job.id for job in claimed] == ids
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                generation_requests.c.id,
                generation_requests.c.status,
                generation_requests.c.credits_charged,
            )
        )
        requests = {row.id: (row.status, row.credits_charged) for row in rows}
    assert requests == {
        fresh.id: (Status.PROCESSING, 0),
        running.id: (Status.PROCESSING, 4),
        untouched.id: (Status.PENDING, 0),
    }


def test_a_claim_that_claims_nothing_starts_no_request(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    with engine.begin() as connection:
        connection.execute(
            sa.update(generation_jobs)
            .where(generation_jobs.c.id == job_id)
            .values(status=Status.CANCELLED)
        )
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.claim([job_id], "w1", NOW, HOUR) == []
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.requests.get(request.id or 0).status is Status.PENDING


def test_a_one_statement_unit_of_work_writes_its_statement_without_a_commit_round_trip(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine))
    job_id = request.jobs[0].id or 0
    uow = SqlUnitOfWork(engine)
    with uow.one_statement():
        [job] = uow.jobs.claim([job_id], "w1", NOW, HOUR)
        # autocommit: the claim is visible to others before the block ends
        with engine.connect() as other:
            status = other.execute(
                sa.select(generation_jobs.c.status).where(generation_jobs.c.id == job_id)
            ).scalar_one()
        assert status == Status.PROCESSING
        uow.commit()
    assert job.status is Status.PROCESSING


def test_a_one_statement_unit_of_work_refuses_a_second_statement(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine))
    uow = SqlUnitOfWork(engine)

    def claim_then_read() -> None:
        with uow.one_statement():
            uow.jobs.claim([request.jobs[0].id or 0], "w1", NOW, HOUR)
            uow.jobs.get(request.jobs[1].id or 0)

    with pytest.raises(RuntimeError, match="second statement"):
        claim_then_read()
    with uow:  # the next block of the same unit is a plain transaction again
        assert uow.jobs.get(request.jobs[1].id or 0).status is Status.PENDING
        uow.users.add(_user("bob@example.com"))
    with SqlUnitOfWork(engine) as fresh:
        assert fresh.users.get_by_email("bob@example.com") is None


def test_a_requests_holds_are_inserted_together_and_a_repeat_inserts_none(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    a, b, c = (j.id or 0 for j in request.jobs)

    def hold(job_id: int, amount: int) -> CreditHold:
        return CreditHold(
            user_id=owner[0], request_id=request.id, job_id=job_id, amount=amount, expires_at=NOW
        )

    first = [hold(a, 3), hold(b, 4)]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(first)
        uow.commit()
    assert all(h.id is not None for h in first)
    with SqlUnitOfWork(engine) as uow:
        assert [(h.job_id, h.amount) for h in map(uow.holds.get, (h.id or 0 for h in first))] == [
            (a, 3),
            (b, 4),
        ]
    with SqlUnitOfWork(engine) as uow, pytest.raises(AlreadyExists):
        uow.holds.add_all([hold(c, 5), hold(b, 6)])
    with SqlUnitOfWork(engine) as uow:
        assert uow.holds.for_job(c) is None
        assert uow.holds.get(first[1].id or 0).amount == 4


def test_jobs_saved_together_each_get_their_own_changes(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        first, second, third = uow.jobs.claim(ids, "w1", NOW, HOUR)
        first.complete(NOW, {"n": 1}, credits_used=3)
        second.complete(NOW + HOUR, {"n": 2}, credits_used=5)
        third.fail("provider_unavailable", "down", NOW)
        uow.jobs.save_all([first, second, third])
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        saved = [uow.jobs.get(job_id) for job_id in ids]
    assert [(j.status, j.credits_used, j.output_metadata) for j in saved[:2]] == [
        (Status.COMPLETED, 3, {"n": 1}),
        (Status.COMPLETED, 5, {"n": 2}),
    ]
    assert [j.completed_at for j in saved[:2]] == [NOW, NOW + HOUR]
    assert (saved[2].status, saved[2].error_code) == (Status.FAILED, "provider_unavailable")


def test_a_batch_save_with_one_job_moved_on_is_stale_and_writes_nothing(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        uow.jobs.claim(ids, "w1", NOW, HOUR)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        jobs = [uow.jobs.get(job_id) for job_id in ids]
        moved = uow.jobs.get(ids[1])  # another copy, saved first: the batch's copy is stale
        moved.fail("deadline_exceeded", "late", NOW)
        uow.jobs.save(moved)
        uow.commit()
        for job in jobs:
            job.complete(NOW, {}, credits_used=1)
        with pytest.raises(StaleAggregate):
            uow.jobs.save_all(jobs)
    with SqlUnitOfWork(engine) as uow:
        statuses = [uow.jobs.get(job_id).status for job_id in ids]
    assert statuses == [Status.PROCESSING, Status.FAILED, Status.PROCESSING]


def test_holds_settled_together_write_only_those_still_pending(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    holds = [
        CreditHold(user_id=owner[0], request_id=request.id, job_id=i, amount=4, expires_at=NOW)
        for i in ids
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(holds)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        released = uow.holds.get(holds[2].id or 0)
        released.release(NOW)
        assert uow.holds.settle(released)
        uow.commit()
    holds[0].capture(3, NOW)
    holds[1].capture(4, NOW + HOUR)
    holds[2].capture(4, NOW)
    with SqlUnitOfWork(engine) as uow:
        assert uow.holds.settle_all(holds) == 2
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.holds.get(h.id or 0) for h in holds]
    assert [(h.status.value, h.captured, h.settled_at) for h in stored] == [
        ("captured", 3, NOW),
        ("captured", 4, NOW + HOUR),
        ("released", 0, NOW),
    ]


def test_capturing_holds_for_jobs_writes_what_the_domain_capture_would(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    amounts = {ids[0]: 4, ids[1]: 4, ids[2]: 2, ids[3]: 4}  # ids[4] has no hold
    holds = [
        CreditHold(user_id=owner[0], request_id=request.id, job_id=job, amount=a, expires_at=NOW)
        for job, a in amounts.items()
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(holds)
        released = uow.holds.get(holds[3].id or 0)
        released.release(NOW)
        assert uow.holds.settle(released)
        uow.commit()
    costs = {ids[0]: 4, ids[1]: 3, ids[2]: 5, ids[3]: 4, ids[4]: 4}
    later = NOW + HOUR
    with SqlUnitOfWork(engine) as uow:
        captured = uow.holds.capture_for_jobs(costs, later)
        uow.commit()
    for hold in holds[:3]:  # what the domain does with the same holds
        hold.capture(min(costs[hold.job_id or 0], hold.amount), later)

    def settled(hold: CreditHold) -> dict[str, Any]:
        return attrs.asdict(hold, filter=lambda field, _: field.name != "created_at")

    assert {job: settled(h) for job, h in captured.items()} == {
        h.job_id: settled(h) for h in holds[:3]
    }
    with SqlUnitOfWork(engine) as uow:
        stored = {job: uow.holds.for_job(job) for job in ids[:4]}
    assert {job: (h.status.value, h.captured, h.settled_at) for job, h in stored.items() if h} == {
        ids[0]: ("captured", 4, later),
        ids[1]: ("captured", 3, later),
        ids[2]: ("captured", 2, later),
        ids[3]: ("released", 0, NOW),
    }
    for job in captured:
        assert attrs.asdict(captured[job]) == attrs.asdict(stored[job])
    with SqlUnitOfWork(engine) as uow:
        assert uow.holds.capture_for_jobs(costs, later) == {}


def _debit(n: int, amount: int) -> Posting:
    return Posting(
        reference_id=f"job:{n}:capture",
        type=EntryType.DEBIT,
        kind=EntryKind.GENERATION,
        amount=amount,
        reason=f"job {n}",
        links=Links(job_id=n),
    )


def test_debits_posted_together_are_entries_of_their_own_in_the_order_given(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    user_id = owner[0]
    grant = Posting(reference_id="grant:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=50)
    debits = [_debit(n, amount) for n, amount in enumerate([7, 3, 11], start=1)]
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        uow.wallets.post(user_id, grant)
        entries = uow.wallets.post_all(user_id, debits)
        uow.commit()
    assert [(e.balance_before, e.balance_after) for e in entries] == [(50, 43), (43, 40), (40, 29)]
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.wallets.entry(p.reference_id) for p in debits]
        assert uow.wallets.get(user_id).balance == 29
    assert stored == entries
    assert [e.links.job_id for e in entries] == [1, 2, 3]


def test_debits_posted_together_draw_on_lots_in_order_when_the_first_does_not_cover_them(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    user_id = owner[0]
    grants = [
        Posting(reference_id=f"grant:{n}", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=a)
        for n, a in enumerate([5, 30], start=1)
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        for grant in grants:
            uow.wallets.post(user_id, grant)
        uow.wallets.reserve(user_id, 12)
        entries = uow.wallets.post_all(user_id, [_debit(1, 4), _debit(2, 8)], release=12)
        uow.commit()
    assert [(e.balance_before, e.balance_after) for e in entries] == [(35, 31), (31, 23)]
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(user_id)
        lots = [uow.wallets.lot(grant.reference_id) for grant in grants]
        stored = [uow.wallets.entry(f"job:{n}:capture") for n in (1, 2)]
    assert (wallet.balance, wallet.held, wallet.total_spent) == (23, 0, 12)
    assert [lot.remaining for lot in lots if lot is not None] == [0, 23]
    assert stored == entries
    assert [(e.links.job_id, e.reason) for e in entries] == [(1, "job 1"), (2, "job 2")]


def test_debits_waiting_for_the_wallet_draw_on_a_lot_added_while_they_waited(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    user_id = _owner(engine)[0]
    paid = Posting(reference_id="grant:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=50)
    promo = Posting(reference_id="grant:2", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=20)
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        uow.wallets.post(user_id, paid)
        uow.commit()
    granting, debiting = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    with granting:
        # An expiring lot is drawn on before one that never expires.
        granting.wallets.post(user_id, promo, lot_expires_at=datetime.now(UTC) + timedelta(days=30))

        def debit() -> None:
            with debiting:
                debiting.wallets.post_all(user_id, [_debit(1, 8)])
                debiting.commit()

        _waits_until(granting.commit, debit, "the debit should wait for the wallet row")
    with SqlUnitOfWork(engine) as uow:
        lots = [uow.wallets.lot(grant.reference_id) for grant in (paid, promo)]
        assert uow.wallets.get(user_id).balance == 62
    assert [lot.remaining for lot in lots if lot is not None] == [50, 12]


def test_debits_the_wallet_cannot_cover_are_refused_and_write_nothing(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    user_id = owner[0]
    grant = Posting(reference_id="grant:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=10)
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        uow.wallets.post(user_id, grant)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        with pytest.raises(InsufficientCredits):
            uow.wallets.post_all(user_id, [_debit(1, 6), _debit(2, 6)])
        assert uow.wallets.entries(user_id) == [uow.wallets.entry("grant:1")]
        assert uow.wallets.get(user_id).balance == 10
        lot = uow.wallets.lot("grant:1")
    assert lot is not None
    assert lot.remaining == 10


# --- outbox ----------------------------------------------------------------------------


def test_the_outbox_lists_pending_jobs_by_priority_then_id(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    low = _add_request(engine, owner, priorities=(0, 5))
    high = _add_request(engine, owner, priorities=(5, 9, 0))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(high.id or 0)
        loaded.start_job(high.jobs[1].id or 0, "w", NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        pending = uow.outbox.pending(10)
        top = uow.outbox.pending(2)
    expected = [low.jobs[1], high.jobs[0], low.jobs[0], high.jobs[2]]
    assert [p.job_id for p in pending] == [j.id for j in expected]
    assert [p.priority for p in pending] == [5, 5, 0, 0]
    assert {p.user_id for p in pending} == {owner[0]}
    assert [p.job_id for p in top] == [j.id for j in expected[:2]]


def test_mark_dispatched_marks_only_jobs_still_pending_and_undispatched(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(request.id or 0)
        loaded.start_job(ids[2], "w", NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.outbox.mark_dispatched([ids[0]], NOW) == 1
        assert uow.outbox.mark_dispatched(ids, NOW) == 1
        assert uow.outbox.mark_dispatched(ids, NOW) == 0
        assert uow.outbox.mark_dispatched([], NOW) == 0
        assert uow.outbox.pending(10) == []
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        jobs = uow.requests.get(request.id or 0).jobs
    assert [j.dispatched_at for j in jobs] == [NOW, NOW, None]


def test_count_unfinished_counts_pending_and_processing_jobs(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    one, two = _add_request(engine, owner), _add_request(engine, owner, priorities=(0,))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(one.id or 0)
        loaded.start_job(one.jobs[0].id or 0, "w", NOW)
        loaded.cancel(NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.outbox.count_unfinished([one.id or 0, two.id or 0]) == 2
        assert uow.outbox.count_unfinished([one.id or 0]) == 1
        assert uow.outbox.count_unfinished([]) == 0


# --- media -----------------------------------------------------------------------------


def test_media_round_trip_with_image_info_and_lineage(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job = request.jobs[0]
    with SqlUnitOfWork(engine) as uow:
        upload = Media(
            user_id=owner[0],
            kind=MediaKind.UPLOADED,
            storage_path="uploads/u1/a.png",
            info=_info(),
            original_filename="me.png",
        )
        uow.media.add(upload)
        edit = Media.generated(
            user_id=owner[0],
            request_id=request.id or 0,
            job_id=job.id or 0,
            output_index=0,
            storage_path="generated/0.png",
            info=_info(99),
            original_media_id=upload.id,
            metadata={"seed": 1},
        )
        uow.media.add(edit)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded_upload, loaded_edit = uow.media.get(upload.id or 0), uow.media.get(edit.id or 0)
    assert loaded_upload.info == _info()
    assert loaded_upload.info.content_type == "image/png"
    assert (loaded_upload.request_id, loaded_upload.original_filename) == (None, "me.png")
    assert (loaded_edit.kind, loaded_edit.original_media_id) == (MediaKind.EDITED, upload.id)
    assert (loaded_edit.metadata, loaded_edit.info.file_size) == ({"seed": 1}, 99)
    assert loaded_edit.created_at is not None
    assert loaded_edit.media_type is MediaCategory.IMAGE


def test_one_job_output_is_stored_once_and_outputs_list_in_order(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)

    def output(job: Job, index: int) -> Media:
        return Media.generated(
            user_id=owner[0],
            request_id=request.id or 0,
            job_id=job.id or 0,
            output_index=index,
            storage_path=f"generated/{job.id}/{index}.png",
            info=_info(),
        )

    with SqlUnitOfWork(engine) as uow:
        uow.media.add(output(request.jobs[1], 0))
        uow.media.add(output(request.jobs[0], 1))
        with pytest.raises(AlreadyExists):
            uow.media.add(output(request.jobs[1], 0))
        uow.media.add(output(request.jobs[0], 0))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        listed = uow.media.list_for_request(request.id or 0)
    keys = [(m.job_id, m.output_index) for m in listed]
    assert keys == [(request.jobs[0].id, 0), (request.jobs[0].id, 1), (request.jobs[1].id, 0)]


def test_media_added_together_get_their_own_ids_in_the_order_given(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    jobs = request.jobs
    outputs = [(jobs[2], 0), (jobs[0], 1), (jobs[1], 0), (jobs[0], 0)]
    media = [
        Media.generated(
            user_id=owner[0],
            request_id=request.id or 0,
            job_id=job.id or 0,
            output_index=index,
            storage_path=f"generated/{job.id}/{index}.png",
            info=_info(100 + n),
            metadata={"n": n} if n % 2 else {},
        )
        for n, (job, index) in enumerate(outputs)
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.media.add_all(media)
        uow.commit()
    ids = [m.id or 0 for m in media]
    assert ids == sorted(set(ids))
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.media.get(media_id) for media_id in ids]
    assert [(m.job_id, m.output_index, m.storage_path) for m in stored] == [
        (m.job_id, m.output_index, m.storage_path) for m in media
    ]
    assert [(m.info, m.metadata, m.created_at) for m in stored] == [
        (m.info, m.metadata, m.created_at) for m in media
    ]


def _generated(owner: tuple[int, int], job: Job, **values: Any) -> Media:
    """The first output of a job, with these values."""
    return Media.generated(
        user_id=owner[0],
        request_id=job.request_id or 0,
        job_id=job.id or 0,
        output_index=0,
        info=_info(),
        **values,
    )


def _added_together(engine: sa.Engine, media: list[Media]) -> list[Media]:
    """Add the media in one call and commit; each as read back."""
    with SqlUnitOfWork(engine) as uow:
        uow.media.add_all(media)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        return [uow.media.get(m.id or 0) for m in media]


def test_media_added_together_keep_quotes_braces_and_nulls_in_their_text_and_json(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    awkward = 'say "hi", {a,b} \\ NULL é'
    media = [
        _generated(
            owner,
            job,
            storage_path=f"generated/{awkward}/{job.id}.png",
            metadata={"note": awkward, "none": None, "list": [1, "NULL"]},
        )
        for job in request.jobs
    ]
    stored = _added_together(engine, media)
    assert [(m.storage_path, m.metadata) for m in stored] == [
        (m.storage_path, m.metadata) for m in media
    ]


def test_media_added_together_keep_a_column_given_in_some_rows_and_null_in_the_others(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    media = [_generated(owner, job, storage_path=f"generated/{job.id}.png") for job in request.jobs]
    media[1].original_filename = "kept.png"
    stored = _added_together(engine, media)  # leaves out original_media_id only
    assert [(m.original_filename, m.original_media_id) for m in stored] == [
        (None, None),
        ("kept.png", None),
        (None, None),
    ]
    assert [m.download_count for m in stored] == [0, 0, 0]
