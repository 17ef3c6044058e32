"""A job's input: the value planning builds, what it says about the job, and its document."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput, LoraUse, SourceImage
from genmedia.domain.media import Media
from genmedia.domain.status import Status
from genmedia.domain.wallet import EntryKind

PHOTO = SourceImage(slot="image", media_id=5, storage_path="uploads/a.png", file_format="png")


def test_a_job_with_images_is_an_edit_of_its_first_image() -> None:
    second = SourceImage(slot="style", media_id=6, storage_path="uploads/b.png", file_format="png")
    edit = JobInput(images=(PHOTO, second), credits=4)
    assert (edit.is_edit, edit.kind, edit.edited_media_id) == (True, EntryKind.EDIT, 5)


def test_a_job_without_images_is_a_generation() -> None:
    plain = JobInput(prompt="a fox", credits=4)
    assert (plain.is_edit, plain.kind, plain.edited_media_id) == (
        False,
        EntryKind.GENERATION,
        None,
    )


def test_a_planned_edit_is_stored_in_the_document_shape_of_earlier_releases(
    uow, clock, user, photo: Media
) -> None:
    cmd = SubmitRequest(
        user_id=user.id or 0,
        template="restyle-photo",
        media_ids=[photo.id or 0],
        selected_options={"style": "oil"},
        input_metadata={"batch_size": 2, "seed": 41},
    )
    request = submit_request(cmd, uow=uow, clock=clock)
    second = request.jobs[1].input
    image = {
        "slot": "image",
        "media_id": photo.id,
        "storage_path": "uploads/photo.png",
        "file_format": "png",
    }
    assert second.as_document() == {
        "provider": second.provider,
        "model": second.model,
        "endpoint": second.endpoint,
        "prompt": request.final_prompt,
        "negative_prompt": None,
        "params": request.generation_params["params"],
        "seed": 42,
        "inputs": [image],
        "index": 1,
        "credits": request.estimated_cost // 2,
        "media_facts": {"referenceImageId": photo.id},
    }
    assert request.generation_params == {
        key: value
        for key, value in request.jobs[0].input.as_document().items()
        if key not in ("index", "credits", "media_facts")
    }


def test_a_document_of_an_older_job_loads_with_defaults_for_what_it_lacks() -> None:
    old = {"provider": "local", "model": "m", "prompt": "p", "seed": 3, "inputs": []}
    assert JobInput.from_document(old) == JobInput(provider="local", model="m", prompt="p", seed=3)
    assert JobInput.from_document({}) == JobInput()


_text = st.text(max_size=12)
_images = st.builds(
    SourceImage,
    slot=_text,
    media_id=st.none() | st.integers(1, 10**9),
    storage_path=_text,
    file_format=st.sampled_from(["png", "jpeg", "webp"]),
)
_loras = st.builds(
    LoraUse,
    trained_model_id=st.none() | st.integers(1, 10**9),
    trigger_word=_text,
    weights_url=st.none() | _text,
    weight=st.floats(0, 2),
)
_inputs = st.builds(
    JobInput,
    provider=_text,
    model=_text,
    endpoint=st.none() | _text,
    prompt=_text,
    negative_prompt=st.none() | _text,
    params=st.dictionaries(_text, st.integers() | _text, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    images=st.lists(_images, max_size=3).map(tuple),
    lora=st.none() | _loras,
    index=st.integers(0, 15),
    credits=st.integers(0, 1000),
)


@given(_inputs)
def test_an_input_reads_back_from_its_document_unchanged(job_input: JobInput) -> None:
    assert JobInput.from_document(job_input.as_document()) == job_input


def test_a_store_gives_a_job_only_its_id_and_the_values_it_generates() -> None:
    job = Job(user_id=1, feature_id=2)
    job.stored_as(7, request_id=3)
    assert (job.id, job.request_id) == (7, 3)
    with pytest.raises(AttributeError):
        job.stored_as(7, status=Status.COMPLETED)
    assert job.status is Status.PENDING
