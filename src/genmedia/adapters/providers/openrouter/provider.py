"""OpenRouterProvider: the gateway to OpenRouter's image models, over chat completions."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

import httpx

from genmedia.adapters.providers.openrouter.images import MAX_IMAGE_BYTES
from genmedia.adapters.providers.openrouter.payload import request_body
from genmedia.adapters.providers.openrouter.results import outcome_of
from genmedia.adapters.providers.openrouter.secret import ApiKey
from genmedia.adapters.providers.openrouter.transport import Transport
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Outcome, ProviderCall, ProviderGateway

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"


class OpenRouterProvider(ProviderGateway):
    """OpenRouter: POST /chat/completions with the image modality; the answer holds the image.

    `call.model` is OpenRouter's model id ("google/gemini-2.5-flash-image"). The call is
    synchronous: `submit` holds the request open until the image is made and answers
    Finished, its images decoded from their data URLs (a plain URL is left for `fetch`), with
    `usage.cost` (US dollars) as the provider cost; or it raises a ProviderError. There is no
    task to poll or cancel.

    Resubmitting is the caller's decision. A request OpenRouter refused before the model
    started (429, 503, connect failures) may be sent again. One whose answer was lost (a
    read timeout after it was sent, a gateway's 5xx) raises `submit_outcome_unknown`, not
    retryable: the image may have been made and billed, and there is nothing to ask for it.
    Result URLs are downloaded with `fetch_result`, which never sees the API key.
    """

    name = "openrouter"

    def __init__(
        self,
        *,
        api_key: str,
        fetch_result: Callable[[str], bytes],
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 120.0,
        client: httpx.Client | None = None,
        max_image_bytes: int = MAX_IMAGE_BYTES,
    ) -> None:
        self._key = ApiKey(api_key)
        self._base_url = base_url.rstrip("/")
        self._fetch_result = fetch_result
        self._max_image_bytes = max_image_bytes
        self._transport = Transport(
            api_key=self._key,
            timeout=timeout,
            client=client,
            max_answer_bytes=4 * max_image_bytes,
        )

    def __repr__(self) -> str:
        return f"OpenRouterProvider(base_url={self._base_url!r})"

    def submit(self, call: ProviderCall) -> Outcome:
        """Ask for the image and wait for it; Finished with its bytes (or URL) and cost."""
        answer = self._transport.post(f"{self._base_url}/chat/completions", request_body(call))
        return outcome_of(answer, self._max_image_bytes)

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """OpenRouter answers at once and keeps no task: there is nothing to poll."""
        raise ProviderError(
            "provider_task_not_found", "OpenRouter answers synchronously; it has no task to poll"
        )

    def fetch(self, url: str) -> bytes:
        """Download an image OpenRouter returned as a URL; a failure is not retried, since
        trying again would generate (and pay for) the image anew."""
        try:
            return self._fetch_result(url)
        except ProviderError as err:
            if not err.retryable:
                raise
            failure = ProviderError(
                err.code, f"{err.message}; the image was paid for, so it is not generated again"
            )
        raise failure

    def close(self) -> None:
        """Close the connection pool, unless the client was passed in."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
