"""Logging of the CLI and worker processes."""

from __future__ import annotations

import logging

# At INFO, httpx logs every request's full URL: a signed result URL's query is its credential.
QUIET = ("httpx", "httpcore")


def configure_logging(level: int, fmt: str) -> None:
    """Log to stderr at `level`, except the HTTP client's per-request lines."""
    logging.basicConfig(level=level, format=fmt)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
