"""Stored media: uploads, generated outputs and edits (SPEC GEN-8; seed 001 §2.7)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    JSON_DOC,
    MEDIA_KIND,
    MEDIA_TYPE,
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

generation_media = sa.Table(
    "generation_media",
    metadata,
    id_column(),
    foreign_key("request_id", "generation_requests.id", "CASCADE"),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    foreign_key("job_id", "generation_jobs.id", "SET NULL"),
    sa.Column("output_index", sa.Integer()),
    sa.Column("kind", MEDIA_KIND, nullable=False),
    sa.Column("media_type", MEDIA_TYPE, nullable=False),
    sa.Column("storage_path", sa.Text(), nullable=False),
    sa.Column("content_type", sa.String(64), nullable=False),
    sa.Column("file_format", sa.String(16), nullable=False),
    sa.Column("width", sa.Integer(), nullable=False),
    sa.Column("height", sa.Integer(), nullable=False),
    sa.Column("file_size", sa.BigInteger(), nullable=False),
    sa.Column("duration", sa.Integer()),
    sa.Column("metadata", JSON_DOC),
    sa.Column("blurhash", sa.String(64), nullable=False),
    sa.Column("tiny_preview_base64", sa.Text()),
    sa.Column("original_filename", sa.String(255)),
    foreign_key("original_media_id", "generation_media.id", "SET NULL"),
    counter("download_count"),
    flag("is_favorite", False),
    *timestamps(),
    # Set once retention removed the stored object of a soft-deleted media (GEN-8, GEN-11).
    sa.Column("purged_at", UtcDateTime()),
    sa.UniqueConstraint("job_id", "output_index"),
    sa.CheckConstraint("width > 0 AND height > 0 AND file_size > 0", name="image_not_empty"),
    sa.CheckConstraint("download_count >= 0", name="download_count_not_negative"),
)
_m = generation_media
partial_index("idx_generation_media_request_id", _m.c.request_id, where=live(_m))
partial_index(
    "idx_generation_media_job_id", _m.c.job_id, where=sa.and_(_m.c.job_id.is_not(None), live(_m))
)
partial_index("idx_generation_media_type", _m.c.media_type, where=live(_m))
partial_index("idx_generation_media_user_id", _m.c.user_id, _m.c.kind, where=live(_m))
partial_index(
    "idx_generation_media_original_media_id",
    _m.c.original_media_id,
    where=sa.and_(_m.c.original_media_id.is_not(None), live(_m)),
)
# The photo facts of `domain.photos`, found by JSONB containment (@>) on PostgreSQL.
sa.Index(
    "idx_generation_media_metadata",
    _m.c.metadata,
    postgresql_using="gin",
    postgresql_ops={"metadata": "jsonb_path_ops"},
    postgresql_where=live(_m),
    sqlite_where=live(_m),
)
sa.Index("idx_generation_media_deleted_at", _m.c.deleted_at)
partial_index(
    "idx_generation_media_purge",
    _m.c.deleted_at,
    where=sa.and_(_m.c.deleted_at.is_not(None), _m.c.purged_at.is_(None)),
)
