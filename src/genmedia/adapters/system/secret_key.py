"""The server's signing key: configured, or made once and kept under the home directory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "secret.key"


def load_secret_key(configured: str | None, home: Path | str) -> bytes:
    """The configured key, else the one in `home/secret.key`, created on first use (0600)."""
    if configured:
        return configured.encode()
    path = Path(home) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_bytes().strip()
