"""Settings from GENMEDIA_* environment variables, defaulting to the embedded parts."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue

PREFIX = "GENMEDIA_"


def _mask(url: str | None) -> str:
    """The URL's repr with any password replaced by ***."""
    return repr(re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url) if url else url)


@attrs.frozen(kw_only=True)
class Settings:
    """Where the database, media, broker and provider state live, and how the worker runs.

    With no environment at all everything is embedded under `./var/`: SQLite, a local media
    directory, an in-process broker and the local provider.
    """

    home: Path = Path("var")
    database_url: str = attrs.field(default="", repr=_mask)
    storage_dir: Path | None = None
    redis_url: str | None = attrs.field(default=None, repr=_mask)
    worker_threads: int = 4
    dispatch_interval: float = 0.2
    pool_size: int = 10
    provider_task_dir: Path | None = None
    local_async_polls: int = 2
    url_expiry: int = 3600
    welcome_credits: int = 100
    hold_ttl_seconds: int = 6 * 3600
    admin_email: str = "admin@genmedia.local"
    admin_password: str | None = attrs.field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read GENMEDIA_* variables; unknown ones are ignored, bad values name the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in attrs.fields(cls):
            raw = env.get(PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _convert(field.name, raw, field.type)
        return cls(**values)

    def resolved(self) -> Settings:
        """These settings with every default path filled in from `home`, made absolute."""
        home = self.home.resolve()
        return attrs.evolve(
            self,
            home=home,
            database_url=self.database_url or f"sqlite:///{home / 'genmedia.db'}",
            storage_dir=(self.storage_dir or home / "media").resolve(),
            provider_task_dir=(self.provider_task_dir or home / "local-provider").resolve(),
        )

    def as_config(self) -> dict[str, Any]:
        """The resolved settings as a plain dict for the container's Configuration."""
        resolved = self.resolved()
        return {f.name: getattr(resolved, f.name) for f in attrs.fields(Settings)}


def _convert(name: str, raw: str, kind: Any) -> Any:
    text = str(kind)
    try:
        if "Path" in text:
            return Path(raw)
        if "int" in text:
            return int(raw)
        if "float" in text:
            return float(raw)
    except ValueError:
        raise InvalidValue(PREFIX + name.upper(), f"not a valid number: {raw!r}") from None
    return raw
