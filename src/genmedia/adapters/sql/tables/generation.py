"""Generation batches, requests and their jobs (SPEC GEN-1, GEN-4, GEN-7; seed 001 §2.5–2.6,
seed 003 §4)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    ID_LIST,
    JOB_STATUS,
    JSON_DOC,
    MEDIA_TYPE,
    TEXT_LIST,
    UtcDateTime,
    counter,
    flag,
    foreign_key,
    id_column,
    live,
    metadata,
    partial_index,
    timestamps,
)
from genmedia.domain.status import Status

# A batch's status, images and credits follow its requests (`domain.batch.batch_progress`);
# only what was asked is stored.
generation_batches = sa.Table(
    "generation_batches",
    metadata,
    id_column(),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("project_id", sa.BigInteger()),
    foreign_key("feature_id", "generation_features.id", "RESTRICT", nullable=False),
    foreign_key("template_id", "generation_templates.id", "SET NULL"),
    foreign_key("trained_model_id", "trained_models.id", "SET NULL"),
    sa.Column("reference_media_ids", ID_LIST, nullable=False),
    sa.Column("images_per_reference", sa.Integer(), nullable=False),
    sa.Column("selected_options", JSON_DOC),
    sa.Column("user_prompt", sa.Text(), nullable=False, server_default=""),
    counter("credits_reserved"),
    *timestamps(),
    sa.CheckConstraint("images_per_reference > 0", name="images_per_reference_positive"),
    sa.CheckConstraint("credits_reserved >= 0", name="credits_reserved_not_negative"),
)
_b = generation_batches
partial_index("idx_generation_batches_user_recent", _b.c.user_id, _b.c.id, where=live(_b))

generation_requests = sa.Table(
    "generation_requests",
    metadata,
    id_column(),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("project_id", sa.BigInteger()),
    foreign_key("feature_id", "generation_features.id", "RESTRICT"),  # None: a training
    foreign_key("template_id", "generation_templates.id", "SET NULL"),
    foreign_key("provider_model_id", "provider_models.id", "SET NULL"),
    foreign_key("trained_model_id", "trained_models.id", "SET NULL"),
    foreign_key("batch_id", "generation_batches.id", "SET NULL"),
    sa.Column("system_prompt", sa.Text()),
    sa.Column("template_prompt", sa.Text()),
    sa.Column("user_prompt", sa.Text(), nullable=False),
    sa.Column("selected_options", JSON_DOC),
    sa.Column("user_custom_input", JSON_DOC),
    sa.Column("final_prompt", sa.Text(), nullable=False),
    sa.Column("input_media_ids", ID_LIST),
    sa.Column("user_media_urls", TEXT_LIST),
    sa.Column("input_metadata", JSON_DOC),
    sa.Column("generation_params", JSON_DOC),
    counter("estimated_cost"),
    counter("credits_charged"),
    sa.Column("status", JOB_STATUS, nullable=False, server_default=Status.PENDING.value),
    sa.Column("metadata", JSON_DOC),
    sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    *timestamps(),
    sa.Column("archived_at", UtcDateTime()),
    sa.CheckConstraint("estimated_cost >= 0", name="estimated_cost_not_negative"),
    sa.CheckConstraint("credits_charged >= 0", name="credits_charged_not_negative"),
)
_r = generation_requests
partial_index("idx_generation_requests_user_id", _r.c.user_id, where=live(_r))
partial_index("idx_generation_requests_user_recent", _r.c.user_id, _r.c.id, where=live(_r))
partial_index(
    "idx_generation_requests_project_id",
    _r.c.project_id,
    where=sa.and_(_r.c.project_id.is_not(None), live(_r)),
)
partial_index("idx_generation_requests_feature_id", _r.c.feature_id, where=live(_r))
partial_index(
    "idx_generation_requests_template_id",
    _r.c.template_id,
    where=sa.and_(_r.c.template_id.is_not(None), live(_r)),
)
partial_index(
    "idx_generation_requests_trained_model_id",
    _r.c.trained_model_id,
    where=_r.c.trained_model_id.is_not(None),
)
partial_index("idx_generation_requests_batch_id", _r.c.batch_id, where=_r.c.batch_id.is_not(None))
partial_index("idx_generation_requests_status", _r.c.status, where=live(_r))
partial_index("idx_generation_requests_user_status", _r.c.user_id, _r.c.status, where=live(_r))
sa.Index("idx_generation_requests_deleted_at", _r.c.deleted_at)
partial_index(
    "idx_generation_requests_unarchived", _r.c.created_at, where=_r.c.archived_at.is_(None)
)

generation_jobs = sa.Table(
    "generation_jobs",
    metadata,
    id_column(),
    foreign_key("request_id", "generation_requests.id", "CASCADE", nullable=False),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("project_id", sa.BigInteger()),
    foreign_key("feature_id", "generation_features.id", "RESTRICT"),  # None: a training
    sa.Column("category", MEDIA_TYPE, nullable=False),
    sa.Column("job_index", sa.Integer(), nullable=False),
    sa.Column("status", JOB_STATUS, nullable=False, server_default=Status.PENDING.value),
    counter("priority"),
    sa.Column("worker_id", sa.String(64)),
    sa.Column("input_json", JSON_DOC, nullable=False),
    # The provider of input_json, for the dispatcher's per-provider limits.
    sa.Column("provider", sa.String(64)),
    sa.Column("output_metadata", JSON_DOC),
    sa.Column("error_message", sa.Text()),
    sa.Column("error_code", sa.String(64)),
    counter("attempts"),
    sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="3"),
    counter("lease"),
    sa.Column("started_at", UtcDateTime()),
    sa.Column("completed_at", UtcDateTime()),
    sa.Column("dispatched_at", UtcDateTime()),
    sa.Column("run_after", UtcDateTime()),
    sa.Column("deadline_at", UtcDateTime()),
    flag("cancel_requested", False),
    sa.Column("provider_task_id", sa.String(255)),
    sa.Column("provider_polling_url", sa.Text()),
    sa.Column("legacy_provider_task_id", sa.String(255)),
    sa.Column("provider_cost", sa.Numeric(12, 6, asdecimal=False)),
    # The unit of provider_cost, as the provider named it (`CostUnit`).
    sa.Column("provider_cost_unit", sa.String(32)),
    counter("credits_used"),
    # The failed job of the same request that this one runs again (an admin's retry); no
    # foreign key, as for the ledger: finished jobs are pruned after their retention period.
    sa.Column("retry_of", sa.BigInteger()),
    *timestamps(),
    sa.UniqueConstraint("request_id", "job_index"),
    sa.CheckConstraint("job_index >= 0", name="job_index_not_negative"),
    sa.CheckConstraint("attempts >= 0 AND max_attempts >= 0", name="attempts_not_negative"),
    sa.CheckConstraint("credits_used >= 0", name="credits_used_not_negative"),
    sa.CheckConstraint("provider_cost >= 0", name="provider_cost_not_negative"),
)
_j = generation_jobs
_pending = _j.c.status == Status.PENDING.value
partial_index("idx_generation_jobs_request_id", _j.c.request_id, where=live(_j))
partial_index("idx_generation_jobs_user_id", _j.c.user_id, where=live(_j))
partial_index(
    "idx_generation_jobs_project_id",
    _j.c.project_id,
    where=sa.and_(_j.c.project_id.is_not(None), live(_j)),
)
partial_index("idx_generation_jobs_feature_id", _j.c.feature_id, where=live(_j))
partial_index("idx_generation_jobs_category", _j.c.category, where=live(_j))
partial_index("idx_generation_jobs_status", _j.c.status, where=live(_j))
partial_index("idx_generation_jobs_category_status", _j.c.category, _j.c.status, where=live(_j))
partial_index("idx_generation_jobs_user_status", _j.c.user_id, _j.c.status, where=live(_j))
partial_index(
    "idx_generation_jobs_priority_status",
    _j.c.priority.desc(),
    _j.c.status,
    where=sa.and_(live(_j), _pending),
)
partial_index(
    "idx_generation_jobs_dispatch",
    _j.c.priority.desc(),
    _j.c.id,
    where=sa.and_(_pending, _j.c.dispatched_at.is_(None), live(_j)),
)
partial_index(
    "idx_generation_jobs_worker_id",
    _j.c.worker_id,
    where=sa.and_(_j.c.worker_id.is_not(None), live(_j)),
)
sa.Index("idx_generation_jobs_deleted_at", _j.c.deleted_at)
sa.Index("idx_generation_jobs_retry_of", _j.c.retry_of, unique=True)  # one retry per job
partial_index(  # retention: finished jobs by age
    "idx_generation_jobs_finished",
    _j.c.completed_at,
    where=_j.c.status.in_([s.value for s in (Status.COMPLETED, Status.FAILED, Status.CANCELLED)]),
)
partial_index(
    "idx_generation_jobs_in_flight",
    _j.c.user_id,
    where=sa.or_(
        _j.c.status == Status.PROCESSING.value,
        sa.and_(_pending, _j.c.dispatched_at.is_not(None)),
    ),
)
partial_index(  # a provider's webhook names its task
    "idx_generation_jobs_running_task",
    _j.c.provider_task_id,
    where=sa.and_(_j.c.status == Status.PROCESSING.value, _j.c.provider_task_id.is_not(None)),
)
