"""`genmedia generate`: submit a request from the command line, and follow it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from genmedia.application.generation.commands import SubmitRequest
from genmedia.entrypoints.container import Container


def parse_options(pairs: Sequence[str]) -> dict[str, str | list[str]]:
    """The options of `--option GROUP=VALUE` pairs; a group given twice takes a list."""
    chosen: dict[str, list[str]] = {}
    for pair in pairs:
        group, sep, value = pair.partition("=")
        if not sep or not group or not value:
            raise argparse.ArgumentTypeError(f"--option needs GROUP=VALUE, got {pair!r}")
        chosen.setdefault(group, []).append(value)
    return {g: v[0] if len(v) == 1 else v for g, v in chosen.items()}


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """The params of `--param KEY=VALUE` pairs, each value read as JSON where it is."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"--param needs KEY=VALUE, got {pair!r}")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


def template_key(value: str | None) -> int | str | None:
    """A template id (all digits) or slug."""
    return int(value) if value and value.isdigit() else value


def _submit_command(user_id: int, args: argparse.Namespace) -> SubmitRequest:
    metadata: dict[str, Any] = {"batch_size": args.batch}
    if args.seed is not None:
        metadata["seed"] = args.seed
    if args.negative:
        metadata["negative_prompt"] = args.negative
    return SubmitRequest(
        user_id=user_id,
        feature_id=args.feature,
        template=template_key(args.template),
        user_prompt=args.prompt,
        selected_options=parse_options(args.option),
        media_ids=list(args.media),
        input_metadata=metadata,
        params=parse_params(args.param),
        trained_model_id=args.trained_model,
        lora_weight=args.lora_weight,
    )


def _print_json(container: Container, request_id: int) -> None:
    from genmedia.entrypoints.presenters import request_json

    found, media = container.request_details(request_id)
    payload = request_json(found, media, container.storage(), container.config.url_expiry())
    print(json.dumps(payload, indent=2))


def cmd_generate(container: Container, args: argparse.Namespace) -> int:
    """Submit a request; with --wait, follow its jobs to the end."""
    user = container.find_user(args.user)
    request = container.submit_request(_submit_command(user.id or 0, args))
    if args.wait:
        run_until_done(container, [request.id or 0], show=not args.json)
    if args.json:
        _print_json(container, request.id or 0)
        return 0
    print(request.id)
    if not args.wait and not container.config.redis_url():
        print("queued; run `genmedia worker` (or pass --wait) to process it", file=sys.stderr)
    return 0


def run_until_done(container: Container, request_ids: list[int], *, show: bool) -> None:
    """Follow the requests to their end, running an in-process worker on the embedded default."""
    from genmedia.entrypoints.follow import follow
    from genmedia.entrypoints.worker import WorkerRuntime

    runtime = WorkerRuntime(container) if not container.config.redis_url() else None
    if runtime:
        runtime.start()
        runtime.kick()
    try:
        follow(container, request_ids, show=show)
    finally:
        if runtime:
            runtime.stop()
