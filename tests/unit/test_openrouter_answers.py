"""What OpenRouter's 200 answers and data URLs mean, without a server."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

from genmedia.adapters.providers.openrouter.images import decode_data_url, output_of
from genmedia.adapters.providers.openrouter.results import outcome_of
from genmedia.application.errors import ProviderError
from genmedia.application.ports import ProviderOutput
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 200, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def data_url(data: bytes, header: str = "image/png;base64") -> str:
    return f"data:{header},{base64.b64encode(data).decode()}"


def answer(message: dict[str, Any], **choice: Any) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "model": "google/gemini-2.5-flash-image",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message} | choice],
        "usage": {"cost": 0.039},
    }


def with_images(*urls: str) -> dict[str, Any]:
    return answer({"images": [{"type": "image_url", "image_url": {"url": url}} for url in urls]})


def failure(value: Any) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        outcome_of(value)
    assert excinfo.value.retryable is False
    return excinfo.value


def test_every_image_of_the_answer_becomes_an_output_in_order() -> None:
    first, second = png(), jpeg()

    done = outcome_of(with_images(data_url(first), data_url(second, "image/jpeg;base64")))

    assert [o.data for o in done.outputs] == [first, second]
    assert done.provider_cost == ProviderCost(0.039, CostUnit.USD)


def test_a_data_url_with_parameters_and_line_breaks_is_decoded() -> None:
    data = png()
    encoded = base64.encodebytes(data).decode()  # broken into lines of 76

    assert decode_data_url(f"data:IMAGE/PNG;charset=binary;base64,{encoded}") == data


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("data:image/png;base64", "without data"),
        (data_url(png(), "image/png"), "not base64"),
        (data_url(png(), "image/svg+xml;base64"), "unsupported media type"),
        (data_url(png(), "text/html;base64"), "unsupported media type"),
        ("data:image/png;base64,iVBOR w0K%%%", "not valid base64"),
        ("data:image/png;base64,iVBORw0", "not valid base64"),
        (data_url(jpeg()), "says image/png but holds jpeg"),
        (data_url(b"<svg/>"), "holds no image"),
        ("ftp://images.example/x.png", "neither a data URL nor an http(s) URL"),
        ("file:///etc/passwd", "neither a data URL nor an http(s) URL"),
    ],
)
def test_an_unusable_image_reference_is_invalid_output(url: str, said: str) -> None:
    error = failure(with_images(url))

    assert error.code == "invalid_output"
    assert said in error.message


def test_an_image_larger_than_the_cap_is_refused_before_it_is_decoded() -> None:
    data = png((64, 64))

    with pytest.raises(ProviderError) as excinfo:
        decode_data_url(data_url(data), max_bytes=len(data) - 1)

    assert (excinfo.value.code, excinfo.value.retryable) == ("result_too_large", False)
    assert decode_data_url(data_url(data), max_bytes=len(data)) == data


def test_a_plain_url_is_left_for_the_downloader() -> None:
    url = "https://cdn.example/generated/1.png?sig=abc"

    assert output_of(url) == ProviderOutput(url=url)


def test_an_answer_without_usage_cost_finishes_without_a_provider_cost() -> None:
    given = with_images(data_url(png()))
    given["usage"] = {"cost": None}

    done = outcome_of(given)

    assert done.provider_cost is None


@pytest.mark.parametrize(
    "given",
    [
        answer({"content": "no"}, finish_reason="content_filter"),
        answer({"content": None, "refusal": "I can't draw that."}),
        answer({"content": ""}, native_finish_reason="PROHIBITED_CONTENT"),
        answer(
            {"content": ""},
            finish_reason="error",
            error={"code": 400, "message": "flagged", "metadata": {"error_type": "refusal"}},
        ),
    ],
    ids=["content-filter", "refusal", "native-safety", "embedded-refusal"],
)
def test_an_answer_without_image_that_says_it_was_refused_is_moderated_at_the_output(
    given: dict[str, Any],
) -> None:
    error = failure(given)

    assert error.code == "content_moderated"
    assert error.moderation is ModerationStage.OUTPUT
    assert "moderation blocked the output" in error.message


def test_an_answer_without_image_keeps_what_it_said_in_the_no_result_message() -> None:
    error = failure(answer({"content": "A fox, in words."}, finish_reason="length"))

    assert error.code == "no_result"
    assert "'length'" in error.message
    assert "A fox, in words." in error.message


def test_an_error_in_place_of_the_choices_is_an_answer_without_image() -> None:
    given = {"error": {"code": 502, "message": "Provider returned error"}}

    error = failure(given)

    assert error.code == "no_result"
    assert "Provider returned error" in error.message


@pytest.mark.parametrize("given", [{"choices": []}, {"object": "chat.completion"}, ["x"], "ok"])
def test_an_answer_of_unknown_shape_is_a_provider_error_that_keeps_the_raw_answer(
    given: Any,
) -> None:
    error = failure(given)

    assert error.code == "provider_error"
    assert "without choices" in error.message
    assert json.dumps(given) in error.message
