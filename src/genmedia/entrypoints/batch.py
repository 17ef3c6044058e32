"""`genmedia batch`: submit a batch (a request per reference image) and follow it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from genmedia.application.generation.commands import SubmitBatch
from genmedia.domain.batch import DEFAULT_IMAGES_PER_REFERENCE, GenerationBatch
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.generate import (
    parse_options,
    parse_params,
    run_until_done,
    template_key,
)


def _command(user_id: int, args: argparse.Namespace) -> SubmitBatch:
    return SubmitBatch(
        user_id=user_id,
        template=template_key(args.template),
        reference_media_ids=list(args.reference),
        images_per_reference=args.per_reference,
        selected_options=parse_options(args.option),
        user_prompt=args.prompt,
        params=parse_params(args.param),
        trained_model_id=args.trained_model,
        lora_weight=args.lora_weight,
    )


def batch_json(container: Container, batch: GenerationBatch) -> dict[str, Any]:
    """A batch, its progress, and each request with its jobs and media, as JSON."""
    from genmedia.entrypoints.presenters import request_json

    storage, expiry = container.storage(), container.config.url_expiry()
    progress = batch.progress
    return {
        "batch": {
            "id": batch.id,
            "status": progress.status.value,
            "total_images": progress.total_images,
            "images_done": progress.images_done,
            "credits_reserved": batch.credits_reserved,
            "credits_used": progress.credits_used,
            "completed_at": progress.completed_at.isoformat() if progress.completed_at else None,
            "template_id": batch.template_id,
            "reference_media_ids": batch.reference_media_ids,
            "selected_options": batch.selected_options,
        },
        "requests": [
            request_json(*container.request_details(request_id), storage, expiry)
            for request_id in batch.request_ids
        ],
    }


def cmd_batch(container: Container, args: argparse.Namespace) -> int:
    """Submit a batch; with --wait, follow its images to the end with a progress bar."""
    user = container.find_user(args.user)
    batch = container.submit_batch(_command(user.id or 0, args))
    if args.wait:
        run_until_done(container, batch.request_ids, show=not args.json)
    if args.json:
        print(json.dumps(batch_json(container, container.batch_details(batch.id or 0)), indent=2))
        return 0
    print(batch.id)
    summary = f"{batch.progress.total_images} images, {batch.credits_reserved} credits reserved"
    print(f"batch {batch.id}: {summary}", file=sys.stderr)
    if not args.wait and not container.config.redis_url():
        print("queued; run `genmedia worker` (or pass --wait) to process it", file=sys.stderr)
    return 0


def add_batch(sub: Any) -> None:
    """The `batch` command."""
    batch = sub.add_parser("batch", help="submit a batch: images from each reference image")
    batch.add_argument("--template", required=True, help="template slug or id")
    batch.add_argument(
        "--reference", action="append", type=int, required=True, metavar="ID",
        help="a media id of yours (repeat for each reference image)",
    )  # fmt: skip
    batch.add_argument(
        "--per-reference", type=int, default=DEFAULT_IMAGES_PER_REFERENCE, metavar="N",
        help=f"images from each reference (default {DEFAULT_IMAGES_PER_REFERENCE})",
    )  # fmt: skip
    batch.add_argument("--option", action="append", default=[], metavar="GROUP=VALUE")
    batch.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    batch.add_argument("--prompt", default="", help="your prompt, if the template takes one")
    batch.add_argument("--trained-model", type=int, metavar="ID", help="a trained model (LoRA)")
    batch.add_argument("--lora-weight", type=float, metavar="W", help="its weight, 0 to 2")
    batch.add_argument("--user", required=True, metavar="EMAIL")
    batch.add_argument("--wait", action="store_true", help="follow the images to the end")
    batch.add_argument("--json", action="store_true", help="print the batch as JSON")
    batch.set_defaults(fn=cmd_batch)
