"""The SQL media repository: image info, lineage, one row per job output."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.job import Job
from genmedia.domain.media import Media, MediaKind
from tests.integration.sql.helpers import _add_request, _info

pytestmark = pytest.mark.integration


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
