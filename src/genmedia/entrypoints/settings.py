"""Settings from GENMEDIA_* environment variables, defaulting to the embedded parts."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue
from genmedia.domain.postings import WELCOME_CREDITS
from genmedia.domain.scheduling import ProviderLimits
from genmedia.domain.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_PIXELS

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
    redis_namespace: str = "genmedia"
    worker_threads: int = 4
    dispatch_interval: float = 0.05
    pool_size: int = 10
    provider_task_dir: Path | None = None
    local_async_polls: int = 2
    url_expiry: int = 3600
    public_url: str = ""
    upload_max_bytes: int = MAX_UPLOAD_BYTES
    upload_max_pixels: int = MAX_UPLOAD_PIXELS
    welcome_credits: int = WELCOME_CREDITS
    hold_ttl_seconds: int = 6 * 3600
    worker_processes: int = 1
    dispatcher_in_worker: bool = True
    dispatch_batch: int = 100
    max_in_flight: int = 64
    user_concurrency: int = 4
    # Per provider, at most how many of its jobs are in flight: "bfl=24,fal=10".
    provider_concurrency: str = attrs.field(
        default="", validator=lambda _, __, value: provider_limits(value)
    )
    heartbeat_interval: float = 5.0
    heartbeat_timeout: float = 30.0
    redispatch_after: float = 120.0
    maintenance_interval: float = 5.0
    job_timeout_seconds: int = 1800
    retry_base_delay: float = 2.0
    retry_max_delay: float = 60.0
    job_retention_days: int = 30
    media_retention_days: int = 30
    # None: the `request_archive_days` setting (CAT-7), else ARCHIVE_DAYS (90).
    request_archive_days: int | None = None
    retention_interval: float = 3600.0
    trend_interval: float = 300.0
    trend_window_hours: float = 7 * 24.0
    trend_half_life_hours: float = 24.0
    trend_use_weight: int = 5
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = attrs.field(default=None, repr=False)
    s3_prefix: str = ""
    s3_create_bucket: bool = False
    bfl_api_key: str | None = attrs.field(default=None, repr=False)
    bfl_base_url: str = "https://api.bfl.ai"
    bfl_timeout: float = 30.0
    bfl_poll_after: float = 1.0
    bfl_webhook_secret: str | None = attrs.field(default=None, repr=False)
    webhook_poll_interval: float = 30.0
    fetch_max_bytes: int = 64 * 1024 * 1024
    fetch_timeout: float = 120.0
    fetch_allow_private: bool = False
    openrouter_api_key: str | None = attrs.field(default=None, repr=False)
    openrouter_base_url: str = "https://openrouter.ai/api/v1"
    openrouter_timeout: float = 120.0
    replicate_api_key: str | None = attrs.field(default=None, repr=False)
    replicate_base_url: str = "https://api.replicate.com"
    replicate_timeout: float = 30.0
    replicate_poll_after: float = 1.0
    replicate_cancel_after: int | None = None  # None: the job timeout
    replicate_webhook_secret: str | None = attrs.field(default=None, repr=False)
    replicate_training_destination: str | None = None  # owner/name trainings make versions of
    fal_api_key: str | None = attrs.field(default=None, repr=False)
    fal_base_url: str = "https://queue.fal.run"
    fal_timeout: float = 30.0
    fal_poll_after: float = 1.0
    fal_jwks_url: str = "https://rest.fal.ai/.well-known/jwks.json"
    fal_schema_url: str = "https://fal.ai/api/openapi/queue/openapi.json"
    # Payments (issue #20): a provider's webhook is enabled by its secret.
    stripe_webhook_secret: str | None = attrs.field(default=None, repr=False)
    stripe_webhook_tolerance: int = 300
    telegram_webhook_secret: str | None = attrs.field(default=None, repr=False)
    # What one credit is worth in đồng (seed 000's VND↔credits rate); when unset, the
    # `vnd_per_credit` setting (CAT-7) says, and VND_PER_CREDIT when that is unset too.
    vnd_per_credit: int | None = None
    admin_email: str = "admin@genmedia.local"
    admin_password: str | None = attrs.field(default=None, repr=False)
    secret_key: str | None = attrs.field(default=None, repr=False)
    # Former secret keys, "key1,key2": encrypted settings made with them still decrypt.
    secret_key_old: str = attrs.field(default="", repr=False)
    session_ttl_seconds: int = 7 * 24 * 3600
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_failure_window: float = 900.0
    rate_limit_per_token: int = 600
    rate_limit_per_address: int = 120
    rate_limit_window: float = 60.0
    idempotency_ttl_seconds: int = 24 * 3600
    cors_origins: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_workers: int = 1

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
        values = {f.name: getattr(resolved, f.name) for f in attrs.fields(Settings)}
        values["storage_kind"] = "s3" if self.s3_bucket else "local"
        values["metrics_kind"] = "prometheus" if self.metrics_port else "none"
        values["counters_kind"] = "redis" if self.redis_url else "memory"
        return values


def _convert(name: str, raw: str, kind: Any) -> Any:
    text = str(kind)
    if text == "bool":
        if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise InvalidValue(PREFIX + name.upper(), f"not a boolean: {raw!r}")
        return raw.lower() in ("1", "true", "yes", "on")
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


def provider_limits(text: str) -> ProviderLimits:
    """The provider concurrency limits written as "bfl=24,fal=10" (empty: none)."""
    caps: dict[str, int] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        provider, _, number = entry.partition("=")
        if not provider.strip() or not number.strip().isdigit() or int(number) < 1:
            raise InvalidValue(
                PREFIX + "PROVIDER_CONCURRENCY", f"{entry!r} is not provider=limit (1 or more)"
            )
        caps[provider.strip()] = int(number)
    return ProviderLimits(caps)
