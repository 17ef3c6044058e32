"""Running the synchronous use cases off the event loop."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `fn` on a worker thread and wait for it without blocking the loop."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
