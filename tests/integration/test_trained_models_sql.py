"""Trained models (LoRA) in SQL, on SQLite and PostgreSQL (TRN-1)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.tables import generation_requests, trained_models
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import Feature
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.trained_model import (
    Gender,
    TrainedModel,
    TrainedModelStatus,
    TrainedModelType,
)
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _setup(engine: sa.Engine) -> tuple[int, int, int]:
    """Two users and a base model: (ann, bob, base model id)."""
    with SqlUnitOfWork(engine) as uow:
        ann = uow.users.add(User(email="ann@example.com"))
        bob = uow.users.add(User(email="bob@example.com"))
        base = uow.provider_models.add(
            ProviderModel(provider="local", model_slug="base-t2i", label="Base")
        )
        uow.commit()
    assert ann.id
    assert bob.id
    assert base.id
    return ann.id, bob.id, base.id


def _lora(owner_id: int, base_id: int, n: int, **kw: object) -> TrainedModel:
    fields: dict[str, object] = {
        "owner_id": owner_id,
        "name": f"Style {n}",
        "trigger_word": f"tok{n}",
        "base_model_id": base_id,
        "status": TrainedModelStatus.COMPLETED,
        "weights_url": f"https://files.example/{n}.safetensors",
    }
    return TrainedModel(**{**fields, **kw})  # type: ignore[arg-type]


def test_a_trained_model_round_trips(engine: sa.Engine) -> None:
    ann, _, base = _setup(engine)
    model = TrainedModel(
        owner_id=ann,
        name="Me, smiling",
        trigger_word="ohwx",
        base_model_id=base,
        type=TrainedModelType.PORTRAIT,
        preview_image_url="https://files.example/preview.png",
        price=4,
        gender=Gender.FEMALE,
    )
    with SqlUnitOfWork(engine) as uow:
        uow.trained_models.add(model)
        uow.commit()
    assert model.id is not None
    assert model.created_at is not None
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.trained_models.get(model.id)
        assert (loaded.status, loaded.is_public, loaded.weights_url) == (
            TrainedModelStatus.PENDING,
            False,
            None,
        )
        loaded.start_training()
        loaded.complete("https://files.example/me.safetensors", "https://files.example/me.json")
        loaded.is_public = True
        uow.trained_models.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        again = uow.trained_models.get(model.id)
    assert (again.owner_id, again.name, again.trigger_word, again.base_model_id) == (
        ann,
        "Me, smiling",
        "ohwx",
        base,
    )
    assert (again.type, again.status, again.gender) == (
        TrainedModelType.PORTRAIT,
        TrainedModelStatus.COMPLETED,
        Gender.FEMALE,
    )
    assert (again.price, again.is_public, again.preview_image_url) == (
        4,
        True,
        "https://files.example/preview.png",
    )
    assert again.weights_url == "https://files.example/me.safetensors"
    assert again.config_url == "https://files.example/me.json"
    assert again.created_at == model.created_at


def test_the_default_price_comes_from_the_domain(engine: sa.Engine) -> None:
    ann, _, base = _setup(engine)
    with SqlUnitOfWork(engine) as uow:
        model = uow.trained_models.add(
            TrainedModel(owner_id=ann, name="x", trigger_word="t", base_model_id=base)
        )
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.trained_models.get(model.id or 0).price == 2


def test_a_weights_url_belongs_to_one_model(engine: sa.Engine) -> None:
    ann, bob, base = _setup(engine)
    with SqlUnitOfWork(engine) as uow:
        uow.trained_models.add(_lora(ann, base, 1))
        with pytest.raises(AlreadyExists):
            uow.trained_models.add(
                _lora(bob, base, 2, weights_url="https://files.example/1.safetensors")
            )
        other = uow.trained_models.add(
            _lora(bob, base, 3, config_url="https://files.example/3.json")
        )
        other.config_url = None
        other.weights_url = "https://files.example/1.safetensors"
        with pytest.raises(AlreadyExists):
            uow.trained_models.save(other)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert [m.name for m in uow.trained_models.list_for_owner(bob)] == ["Style 3"]


def test_a_config_url_belongs_to_one_model(engine: sa.Engine) -> None:
    ann, bob, base = _setup(engine)
    with SqlUnitOfWork(engine) as uow:
        uow.trained_models.add(_lora(ann, base, 1, config_url="https://files.example/c.json"))
        with pytest.raises(AlreadyExists):
            uow.trained_models.add(_lora(bob, base, 2, config_url="https://files.example/c.json"))


def test_the_database_refuses_a_negative_price_and_a_completed_model_without_weights(
    engine: sa.Engine,
) -> None:
    ann, _, base = _setup(engine)
    row = {"owner_id": ann, "name": "x", "trigger_word": "t", "base_model_id": base}
    for bad in ({"price": -1}, {"status": TrainedModelStatus.COMPLETED}):
        with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.insert(trained_models).values({**row, **bad}))


def test_public_completed_models_and_an_owners_models_are_listed_newest_first(
    engine: sa.Engine,
) -> None:
    ann, bob, base = _setup(engine)
    with SqlUnitOfWork(engine) as uow:
        add = uow.trained_models.add
        ann_private = add(_lora(ann, base, 1))
        ann_public = add(_lora(ann, base, 2, is_public=True))
        bob_training = add(_lora(bob, base, 3, status="training", weights_url=None, is_public=True))
        bob_public = add(_lora(bob, base, 4, is_public=True))
        ann_deleted = add(_lora(ann, base, 5, is_public=True, deleted_at=NOW))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        public = [m.id for m in uow.trained_models.list_public()]
        assert public == [bob_public.id, ann_public.id]
        assert [m.id for m in uow.trained_models.list_public(limit=1)] == [bob_public.id]
        assert [m.id for m in uow.trained_models.list_for_owner(ann)] == [
            ann_public.id,
            ann_private.id,
        ]
        assert [m.id for m in uow.trained_models.list_for_owner(bob)] == [
            bob_public.id,
            bob_training.id,
        ]
        with pytest.raises(NotFound):
            uow.trained_models.get(ann_deleted.id or 0)
        with pytest.raises(NotFound):
            uow.trained_models.get(9999)


def test_a_deleted_model_cannot_be_saved(engine: sa.Engine) -> None:
    ann, _, base = _setup(engine)
    with SqlUnitOfWork(engine) as uow:
        model = uow.trained_models.add(_lora(ann, base, 1))
        model.deleted_at = NOW
        uow.trained_models.save(model)
        model.name = "Renamed"
        with pytest.raises(NotFound):
            uow.trained_models.save(model)


def test_deleting_a_model_keeps_the_requests_that_used_it(engine: sa.Engine) -> None:
    ann, _, base = _setup(engine)
    with SqlUnitOfWork(engine) as uow:
        feature = uow.features.add(Feature(name="t2i"))
        model = uow.trained_models.add(_lora(ann, base, 1))
        request = uow.requests.add(
            GenerationRequest(
                user_id=ann, feature_id=feature.id or 0, final_prompt="x", created_at=NOW
            )
        )
        uow.commit()
    r, t = generation_requests, trained_models
    with engine.begin() as connection:
        connection.execute(
            sa.update(r).where(r.c.id == request.id).values(trained_model_id=model.id)
        )
        connection.execute(sa.delete(t).where(t.c.id == model.id))
    with engine.connect() as connection:
        used = connection.execute(sa.select(r.c.trained_model_id).where(r.c.id == request.id))
        assert used.scalar_one() is None


def test_sqlite_gains_the_request_column_without_losing_jobs_or_ledger_entries(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'genmedia.db'}"
    migrate.upgrade(url, "0004")
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (id, email) VALUES (1, 'ann@example.com')")
            c.exec_driver_sql(
                "INSERT INTO generation_features (id, name, category) VALUES (1, 'f', 'image')"
            )
            c.exec_driver_sql(
                "INSERT INTO generation_requests"
                " (id, user_id, feature_id, user_prompt, final_prompt) VALUES (1, 1, 1, 'a', 'a')"
            )
            c.exec_driver_sql(
                "INSERT INTO generation_jobs (request_id, user_id, feature_id, category, job_index,"
                " input_json) VALUES (1, 1, 1, 'image', 0, '{}')"
            )
            c.exec_driver_sql(
                "INSERT INTO wallet_transactions (user_id, type, kind, amount, balance_before,"
                " balance_after, reference_id, fingerprint, request_id)"
                " VALUES (1, 'credit', 'bonus', 5, 0, 5, 'r1', 'f1', 1)"
            )
        migrate.upgrade(url, "0005")
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM generation_jobs").scalar() == 1
            ledger = c.exec_driver_sql("SELECT request_id FROM wallet_transactions").all()
            assert ledger == [(1,)]
            assert c.exec_driver_sql("SELECT trained_model_id FROM generation_requests").all() == [
                (None,)
            ]
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        migrate.downgrade(url, "0004")
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM generation_jobs").scalar() == 1
            columns = {col["name"] for col in sa.inspect(c).get_columns("generation_requests")}
            assert "trained_model_id" not in columns
    finally:
        engine.dispose()
