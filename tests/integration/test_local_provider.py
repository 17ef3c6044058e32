"""LocalProvider: real pictures drawn with Pillow, synchronous and asynchronous."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import attrs
import pytest
from PIL import Image, ImageChops, ImageStat

from genmedia.adapters.providers.local import LocalProvider
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, InputImage, ProviderCall, Waiting
from genmedia.domain.provider_cost import CostUnit, ProviderCost

PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def make_call(**changes: Any) -> ProviderCall:
    fields: dict[str, Any] = {
        "job_id": 7,
        "model": "local-sketch",
        "endpoint": "sync",
        "prompt": "a sunset over the ocean",
        "negative_prompt": None,
        "params": {"width": 96, "height": 64},
        "seed": 42,
    }
    return ProviderCall(**(fields | changes))


def with_params(**params: Any) -> ProviderCall:
    return make_call(params={"width": 96, "height": 64, **params})


@pytest.fixture
def task_dir(tmp_path: Path) -> Path:
    return tmp_path / "tasks"


@pytest.fixture
def provider(task_dir: Path) -> LocalProvider:
    return LocalProvider(task_dir=task_dir)


def finished(outcome: Finished | Waiting) -> Finished:
    assert isinstance(outcome, Finished), outcome
    return outcome


def render(provider: LocalProvider, call: ProviderCall) -> bytes:
    (output,) = finished(provider.submit(call)).outputs
    assert output.data is not None
    assert output.url is None
    return output.data


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def encode(image: Image.Image, file_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, file_format)
    return buffer.getvalue()


def mean_difference(one: Image.Image, two: Image.Image) -> float:
    difference = ImageChops.difference(one.convert("RGB"), two.convert("RGB"))
    return sum(ImageStat.Stat(difference).mean) / 3


def stripes(size: tuple[int, int], vertical: bool) -> Image.Image:
    image = Image.new("RGB", size, (240, 240, 240))
    for index in range(0, size[0] if vertical else size[1], 16):
        box = (index, 0, index + 7, size[1]) if vertical else (0, index, size[0], index + 7)
        image.paste((20, 120, 60), box)
    return image


# --- synchronous text-to-image --------------------------------------------------------


@pytest.mark.parametrize("file_format", ["png", "jpeg", "webp"])
def test_the_same_call_gives_the_same_bytes(task_dir: Path, file_format: str) -> None:
    call = with_params(output_format=file_format)

    first = render(LocalProvider(task_dir=task_dir), call)
    second = render(LocalProvider(task_dir=task_dir), call)

    assert first == second


@pytest.mark.parametrize(
    "changed",
    [
        make_call(seed=43),
        make_call(prompt="a snowy forest at night"),
        make_call(prompt="a sunset over the ocean, watercolor"),
        make_call(negative_prompt="blurry"),
        make_call(model="local-other"),
        with_params(style="watercolor"),
        with_params(guidance=7.0),
        make_call(params={"width": 96, "height": 72}),
    ],
    ids=["seed", "prompt", "option-in-prompt", "negative", "model", "param", "guidance", "size"],
)
def test_a_different_call_gives_a_different_image(
    provider: LocalProvider, changed: ProviderCall
) -> None:
    assert render(provider, changed) != render(provider, make_call())


def test_a_different_seed_changes_the_picture_visibly(provider: LocalProvider) -> None:
    one = open_image(render(provider, make_call(seed=1)))
    two = open_image(render(provider, make_call(seed=2)))

    assert mean_difference(one, two) > 5


@pytest.mark.parametrize("file_format", ["png", "jpeg", "webp"])
def test_the_output_is_an_image_of_the_requested_format_and_size(
    provider: LocalProvider, file_format: str
) -> None:
    image = open_image(render(provider, with_params(output_format=file_format, width=120)))

    assert image.format == PILLOW_FORMATS[file_format]
    assert image.size == (120, 64)
    assert image.mode == "RGB"


def test_the_default_size_is_512_square(provider: LocalProvider) -> None:
    image = open_image(render(provider, make_call(params={})))

    assert (image.format, image.size) == ("PNG", (512, 512))


def test_the_picture_is_not_a_flat_colour(provider: LocalProvider) -> None:
    image = open_image(render(provider, make_call(params={"width": 256, "height": 256})))

    colours = image.getcolors(maxcolors=256 * 256)
    assert colours is not None
    assert len(colours) > 1000
    assert min(ImageStat.Stat(image).stddev) > 10


def test_a_prompt_without_colour_words_still_gives_a_picture(provider: LocalProvider) -> None:
    call = make_call(prompt="a cat wearing a hat", params={"width": 128, "height": 128})

    image = open_image(render(provider, call))

    assert min(ImageStat.Stat(image).stddev) > 5


def test_the_negative_prompt_takes_its_colour_words_out_of_the_palette(
    provider: LocalProvider,
) -> None:
    size = {"width": 128, "height": 128}
    both = make_call(prompt="red ocean", params=size)
    without_red = make_call(prompt="red ocean", negative_prompt="red", params=size)

    red, _, blue = ImageStat.Stat(open_image(render(provider, both))).mean
    red_after, _, blue_after = ImageStat.Stat(open_image(render(provider, without_red))).mean

    assert red_after - blue_after < red - blue
    assert blue_after > red_after


@pytest.mark.parametrize(
    ("ratio", "size"),
    [
        ("1:1", (128, 128)),
        ("16:9", (128, 72)),
        ("9:16", (72, 128)),
        ("4:3", (128, 96)),
        ("3:4", (96, 128)),
    ],
)
def test_an_aspect_ratio_derives_the_short_side_from_the_width(
    provider: LocalProvider, ratio: str, size: tuple[int, int]
) -> None:
    outcome = finished(provider.submit(with_params(width=128, aspect_ratio=ratio)))

    assert (outcome.metadata["width"], outcome.metadata["height"]) == size
    assert outcome.outputs[0].data is not None
    assert open_image(outcome.outputs[0].data).size == size


def test_the_short_side_of_an_aspect_ratio_is_a_multiple_of_8(provider: LocalProvider) -> None:
    outcome = finished(provider.submit(with_params(width=100, aspect_ratio="16:9")))

    assert (outcome.metadata["width"], outcome.metadata["height"]) == (100, 56)


def test_the_outcome_tells_model_size_format_and_no_cost(provider: LocalProvider) -> None:
    outcome = finished(provider.submit(with_params(output_format="jpeg")))

    assert outcome.provider_cost == ProviderCost(0, CostUnit.USD)
    assert outcome.metadata["model"] == "local-sketch"
    assert outcome.metadata["format"] == "jpeg"
    assert (outcome.metadata["width"], outcome.metadata["height"]) == (96, 64)
    assert "render_ms" in outcome.metadata


def test_a_missing_endpoint_renders_synchronously(provider: LocalProvider) -> None:
    assert render(provider, make_call(endpoint=None)) == render(provider, make_call())


@pytest.mark.parametrize(
    "params",
    [
        {"output_format": "bmp"},
        {"width": 0},
        {"height": "tall"},
        {"width": 100.5},
        {"strength": 1.5},
        {"guidance": "high"},
        {"aspect_ratio": "wide"},
        {"aspect_ratio": "16:0"},
    ],
)
def test_wrong_params_are_refused(provider: LocalProvider, params: dict[str, Any]) -> None:
    with pytest.raises(ProviderError) as error:
        provider.submit(make_call(params=params))

    assert error.value.code == "invalid_params"
    assert not error.value.retryable


def test_an_unknown_endpoint_is_refused(provider: LocalProvider) -> None:
    with pytest.raises(ProviderError) as error:
        provider.submit(make_call(endpoint="stream"))

    assert error.value.code == "invalid_request"


def test_fetch_is_unsupported(provider: LocalProvider) -> None:
    with pytest.raises(ProviderError) as error:
        provider.fetch("https://example.com/image.png")

    assert error.value.code == "unsupported"


# --- image-to-image -------------------------------------------------------------------


def edit_call(source: Image.Image, **params: Any) -> ProviderCall:
    return make_call(
        prompt="a golden forest",
        params={"width": 96, "height": 96, **params},
        inputs=(InputImage(data=encode(source), file_format="png"),),
    )


def test_image_to_image_depends_on_the_input_image(provider: LocalProvider) -> None:
    vertical = render(provider, edit_call(stripes((200, 150), vertical=True)))
    horizontal = render(provider, edit_call(stripes((200, 150), vertical=False)))

    assert mean_difference(open_image(vertical), open_image(horizontal)) > 10


def test_image_to_image_transforms_the_input(provider: LocalProvider) -> None:
    source = stripes((96, 96), vertical=True)

    output = open_image(render(provider, edit_call(source)))

    assert output.size == (96, 96)
    assert mean_difference(output, source) > 10


def test_image_to_image_keeps_the_input_more_with_less_strength(provider: LocalProvider) -> None:
    source = stripes((96, 96), vertical=True)

    light = open_image(render(provider, edit_call(source, strength=0.1)))
    heavy = open_image(render(provider, edit_call(source, strength=0.9)))

    assert mean_difference(light, source) < mean_difference(heavy, source)


def test_image_to_image_crops_the_input_to_the_requested_size(provider: LocalProvider) -> None:
    output = render(provider, edit_call(stripes((300, 100), vertical=True), width=64, height=128))

    assert open_image(output).size == (64, 128)


def test_image_to_image_is_deterministic(task_dir: Path) -> None:
    call = edit_call(stripes((120, 90), vertical=True), output_format="webp")

    assert render(LocalProvider(task_dir=task_dir), call) == render(
        LocalProvider(task_dir=task_dir), call
    )


def test_an_unreadable_input_image_is_refused(provider: LocalProvider) -> None:
    call = make_call(inputs=(InputImage(data=b"not an image", file_format="png"),))

    with pytest.raises(ProviderError) as error:
        provider.submit(call)

    assert error.value.code == "invalid_input"
    assert not error.value.retryable


# --- asynchronous tasks ---------------------------------------------------------------


def test_nothing_touches_the_disk_until_an_async_submit(task_dir: Path) -> None:
    provider = LocalProvider(task_dir=task_dir)
    render(provider, make_call())

    assert not task_dir.exists()

    provider.submit(make_call(endpoint="async"))

    assert task_dir.is_dir()


def test_async_mode_waits_then_finishes_after_the_configured_polls(task_dir: Path) -> None:
    provider = LocalProvider(task_dir=task_dir, async_polls=2)

    submitted = provider.submit(make_call(endpoint="async"))

    assert isinstance(submitted, Waiting)
    assert submitted.polling_url == f"local://tasks/{submitted.task_id}"
    assert submitted.poll_after == 0.2
    first = provider.poll(submitted.task_id, submitted.polling_url)
    second = provider.poll(submitted.task_id, submitted.polling_url)
    assert isinstance(first, Waiting)
    assert isinstance(second, Waiting)
    assert second.task_id == submitted.task_id
    assert isinstance(provider.poll(submitted.task_id, submitted.polling_url), Finished)


def test_an_async_task_renders_the_same_picture_as_a_sync_call(task_dir: Path) -> None:
    provider = LocalProvider(task_dir=task_dir, async_polls=0)
    call = edit_call(stripes((80, 80), vertical=False), output_format="jpeg")
    submitted = provider.submit(attrs.evolve(call, endpoint="async"))
    assert isinstance(submitted, Waiting)

    outcome = finished(provider.poll(submitted.task_id, submitted.polling_url))

    assert outcome.outputs[0].data == render(provider, call)


def test_an_async_task_survives_a_restart(task_dir: Path) -> None:
    submitted = LocalProvider(task_dir=task_dir, async_polls=2).submit(make_call(endpoint="async"))
    assert isinstance(submitted, Waiting)
    assert isinstance(
        LocalProvider(task_dir=task_dir, async_polls=2).poll(submitted.task_id, None), Waiting
    )

    restarted = LocalProvider(task_dir=task_dir, async_polls=2)

    assert isinstance(restarted.poll(submitted.task_id, None), Waiting)
    assert isinstance(restarted.poll(submitted.task_id, None), Finished)


def test_resubmitting_the_same_job_gives_the_same_task(task_dir: Path) -> None:
    provider = LocalProvider(task_dir=task_dir, async_polls=1)
    first = provider.submit(make_call(endpoint="async"))
    assert isinstance(first, Waiting)
    provider.poll(first.task_id, None)

    again = provider.submit(make_call(endpoint="async"))

    assert isinstance(again, Waiting)
    assert again.task_id == first.task_id
    assert isinstance(provider.poll(first.task_id, None), Finished)


def test_different_jobs_get_different_tasks(provider: LocalProvider) -> None:
    one = provider.submit(make_call(endpoint="async", job_id=1))
    two = provider.submit(make_call(endpoint="async", job_id=2))

    assert isinstance(one, Waiting)
    assert isinstance(two, Waiting)
    assert one.task_id != two.task_id


def test_a_finished_task_can_be_polled_again(task_dir: Path) -> None:
    provider = LocalProvider(task_dir=task_dir, async_polls=0)
    submitted = provider.submit(make_call(endpoint="async"))
    assert isinstance(submitted, Waiting)

    first = finished(provider.poll(submitted.task_id, None))
    second = finished(provider.poll(submitted.task_id, None))

    assert first.outputs == second.outputs


@pytest.mark.parametrize("task_id", ["0" * 64, "../../etc/passwd", "", "A" * 64])
def test_an_unknown_task_is_not_found(provider: LocalProvider, task_id: str) -> None:
    with pytest.raises(ProviderError) as error:
        provider.poll(task_id, f"local://tasks/{task_id}")

    assert error.value.code == "provider_task_not_found"
    assert not error.value.retryable


def test_a_cancelled_task_is_forgotten(provider: LocalProvider) -> None:
    submitted = provider.submit(make_call(endpoint="async"))
    assert isinstance(submitted, Waiting)

    provider.cancel(submitted.task_id, submitted.polling_url)
    provider.cancel(submitted.task_id, submitted.polling_url)

    with pytest.raises(ProviderError, match="provider_task_not_found"):
        provider.poll(submitted.task_id, submitted.polling_url)


def test_bad_params_are_refused_at_an_async_submit(provider: LocalProvider) -> None:
    with pytest.raises(ProviderError, match="invalid_params"):
        provider.submit(make_call(endpoint="async", params={"output_format": "tiff"}))
