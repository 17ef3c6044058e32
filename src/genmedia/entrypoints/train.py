"""`genmedia train`: upload images, train a LoRA on them and, with --wait, follow it with a
progress bar until its model is completed or failed (SPEC TRN-1, TRN-2)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genmedia.application.media.uploads import UploadMedia
from genmedia.application.trainings.commands import SubmitTraining
from genmedia.entrypoints.container import Container

CHUNK = 1 << 16


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


def _upload(container: Container, user_id: int, path: Path) -> int:
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"--images: no file {str(path)!r}")
    cmd = UploadMedia(user_id=user_id, filename=path.name, content=_chunks(path))
    return container.upload_media(cmd).id or 0


def cmd_train(container: Container, args: argparse.Namespace) -> int:
    """Upload the images in order, submit the training; with --wait, follow it to its end."""
    from genmedia.entrypoints.generate import run_until_done

    user_id = container.find_user(args.user).id or 0
    media_ids = [_upload(container, user_id, Path(name)) for name in args.images]
    training = container.submit_training(
        SubmitTraining(
            user_id=user_id,
            name=args.name,
            trigger_word=args.trigger,
            type=args.type,
            gender=args.gender,
            base_model_id=args.base_model,
            media_ids=media_ids,
            steps=args.steps,
            learning_rate=args.learning_rate,
        )
    )
    print(f"training {training.id}: model {training.trained_model_id}, "
          f"{training.credits_reserved} credits held")  # fmt: skip
    if not args.wait:
        if not container.config.redis_url():
            print("queued; run `genmedia worker` (or pass --wait) to train", file=sys.stderr)
        return 0
    run_until_done(container, [training.id], show=True)
    done = container.training_of(user_id, training.id)
    print(f"model {done.trained_model_id}: {done.status.value}"
          + (f" ({done.error})" if done.error else ""))  # fmt: skip
    return 0 if done.status.value == "completed" else 1


def add_train(sub: Any) -> None:
    """The `train` subcommand."""
    train = sub.add_parser("train", help="train a LoRA on your images")
    train.add_argument("--images", nargs="+", required=True, metavar="FILE", help="1–5 images")
    train.add_argument("--name", required=True)
    train.add_argument("--trigger", required=True, help="the trigger word")
    train.add_argument("--type", choices=("style", "portrait"), default="style")
    train.add_argument("--gender", choices=("male", "female"))
    train.add_argument("--base-model", type=int, metavar="ID", help="default: the default model")
    train.add_argument("--steps", type=int)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--user", required=True, metavar="EMAIL")
    train.add_argument("--wait", action="store_true", help="follow the training to its end")
    train.set_defaults(fn=cmd_train)
