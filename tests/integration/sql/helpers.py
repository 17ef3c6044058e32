"""Builders and helpers shared by the SQL repository tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import Feature
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput
from genmedia.domain.media import ImageInfo
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.template import ImageSlot, Option, OptionGroup, Template
from genmedia.domain.user import User

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
        Job(
            user_id=user_id,
            feature_id=feature_id,
            index=i,
            priority=p,
            input=JobInput(prompt=f"job {i}", index=i),
        )
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


def _add_request(
    engine: sa.Engine, owner: tuple[int, int], priorities: tuple[int, ...] = (0, 0)
) -> GenerationRequest:
    with SqlUnitOfWork(engine) as uow:
        request = uow.requests.add(_request(*owner, priorities=priorities))
        uow.commit()
    return request


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
