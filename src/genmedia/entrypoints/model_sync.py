"""`genmedia providers sync`: store the input schema a provider publishes for catalog models."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from genmedia.application.errors import ProviderError
from genmedia.domain.errors import DomainError, NotFound
from genmedia.domain.provider_model import ProviderModel
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.settings import PREFIX

SYNCABLE = ("fal", "replicate")


def add_providers(sub: Any) -> None:
    """The `providers` subcommands."""
    group = sub.add_parser("providers", help="AI providers").add_subparsers(
        dest="providers_command", required=True
    )
    sync = group.add_parser("sync", help="store the input schema a provider publishes")
    sync.add_argument("provider", choices=SYNCABLE)
    sync.add_argument("models", nargs="+", metavar="MODEL", help="model slug in the catalog")
    sync.set_defaults(fn=cmd_providers_sync)


def cmd_providers_sync(container: Container, args: argparse.Namespace) -> int:
    """Sync each model's param schema; 0 if all were synced, 1 if any was not, 2 if the
    provider is not configured."""
    failed = 0
    for model in args.models:
        try:
            _show(container.sync_model_schema(args.provider, model))
        except ProviderError as err:
            if err.code == "provider_not_configured":
                variable = f"{PREFIX}{args.provider.upper()}_API_KEY"
                print(f"error: {args.provider} is not configured: set {variable}", file=sys.stderr)
                return 2
            _fail(model, f"{err}{' (temporary; try again)' if err.retryable else ''}")
            failed += 1
        except NotFound:
            _fail(model, f"no {args.provider} model {model!r} in the catalog; add it first")
            failed += 1
        except DomainError as err:
            _fail(model, "; ".join(str(e) for e in err.field_errors()) or str(err))
            failed += 1
    return 1 if failed else 0


def _show(model: ProviderModel) -> None:
    names = sorted(model.param_schema.get("properties", {}))
    when = model.synced_at.isoformat(timespec="seconds") if model.synced_at else "?"
    print(f"synced {model.provider} {model.model_slug} at {when}: {len(names)} params")
    if names:
        print(f"  {', '.join(names)}")


def _fail(model: str, problem: str) -> None:
    print(f"error: {model}: {problem}", file=sys.stderr)
