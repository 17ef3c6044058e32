"""Trained models (LoRA) (SPEC TRN-1; seed 002 LoraModel, seed 003 models)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    NOW,
    UtcDateTime,
    counter,
    enum_type,
    flag,
    foreign_key,
    id_column,
    live,
    metadata,
    partial_index,
    timestamps,
)
from genmedia.domain.trained_model import (
    DEFAULT_PRICE,
    Gender,
    TrainedModelStatus,
    TrainedModelType,
)

TRAINED_MODEL_TYPE = enum_type(TrainedModelType, "trained_model_type_enum")
TRAINED_MODEL_STATUS = enum_type(TrainedModelStatus, "trained_model_status_enum")
TRAINED_MODEL_GENDER = enum_type(Gender, "trained_model_gender_enum")

trained_models = sa.Table(
    "trained_models",
    metadata,
    id_column(),
    foreign_key("owner_id", "users.id", "CASCADE", nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("trigger_word", sa.String(64), nullable=False),
    foreign_key("base_model_id", "provider_models.id", "RESTRICT", nullable=False),
    sa.Column(
        "type", TRAINED_MODEL_TYPE, nullable=False, server_default=TrainedModelType.STYLE.value
    ),
    sa.Column(
        "status",
        TRAINED_MODEL_STATUS,
        nullable=False,
        server_default=TrainedModelStatus.PENDING.value,
    ),
    sa.Column("preview_image_url", sa.Text()),
    flag("is_public", False),
    sa.Column("price", sa.Integer(), nullable=False, server_default=str(DEFAULT_PRICE)),
    sa.Column("gender", TRAINED_MODEL_GENDER),
    sa.Column("weights_url", sa.Text(), unique=True),
    sa.Column("config_url", sa.Text(), unique=True),
    # The request whose one job trains the model (SPEC TRN-2).
    sa.Column("training_request_id", sa.BigInteger()),
    counter("images_count"),
    counter("training_credits_used"),
    sa.Column("training_error", sa.Text()),
    *timestamps(),
    sa.CheckConstraint("price >= 0", name="price_not_negative"),
    sa.CheckConstraint(
        "status <> 'completed' OR weights_url IS NOT NULL", name="weights_when_completed"
    ),
)
_t = trained_models
partial_index("idx_trained_models_owner_id", _t.c.owner_id, _t.c.id, where=live(_t))
partial_index(
    "idx_trained_models_public",
    _t.c.is_public,
    _t.c.id,
    where=sa.and_(_t.c.is_public == sa.true(), live(_t)),
)
sa.Index("idx_trained_models_base_model_id", _t.c.base_model_id)
sa.Index("idx_trained_models_training_request_id", _t.c.training_request_id, unique=True)

trained_model_images = sa.Table(  # seed 003 model_training_images
    "trained_model_images",
    metadata,
    id_column(),
    foreign_key("trained_model_id", "trained_models.id", "CASCADE", nullable=False),
    foreign_key("media_id", "generation_media.id", "SET NULL"),
    sa.Column("image_order", sa.Integer(), nullable=False),
    sa.Column("image_url", sa.Text(), nullable=False),  # the image's storage key
    sa.Column("file_format", sa.String(16), nullable=False),
    sa.Column("file_size", sa.Integer()),
    sa.Column("file_name", sa.Text()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.UniqueConstraint("trained_model_id", "image_order"),
    sa.CheckConstraint("image_order >= 1", name="image_order_positive"),
)
