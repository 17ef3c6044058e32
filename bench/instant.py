"""An instant provider for the pipeline benchmark: every call finishes at once with one PNG."""

from __future__ import annotations

import io

from PIL import Image

from genmedia.application.ports import (
    Finished,
    Outcome,
    ProviderCall,
    ProviderGateway,
    ProviderOutput,
)


def small_png(size: int = 64) -> bytes:
    """A `size`×`size` RGB gradient, encoded as PNG once."""
    image = Image.new("RGB", (size, size))
    step = max(256 // size, 1)
    image.putdata(
        [((x * step) % 256, (y * step) % 256, 128) for y in range(size) for x in range(size)]
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PNG_64 = small_png(64)


class InstantProvider(ProviderGateway):
    """Answers every submission with the same pre-encoded image, doing no work at all."""

    name = "local"

    def __init__(self, data: bytes = PNG_64) -> None:
        self.data = data
        self.finished = Finished(outputs=(ProviderOutput(data=data),))

    def submit(self, call: ProviderCall) -> Outcome:
        """Finished, at once."""
        return self.finished

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Finished, at once (never asked: submissions never wait)."""
        return self.finished

    def fetch(self, url: str) -> bytes:
        """The same image (never asked: outputs carry their bytes)."""
        return self.data
