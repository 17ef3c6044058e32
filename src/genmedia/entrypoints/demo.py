"""`genmedia demo`: the whole Feature → Template → Request → Job → Media path, embedded."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.application.wallet.accounts import AdjustCredits
from genmedia.domain.media import Media
from genmedia.domain.request import GenerationRequest
from genmedia.domain.wallet import Wallet
from genmedia.entrypoints.console import table
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.follow import follow
from genmedia.entrypoints.gallery import GalleryItem, write_gallery
from genmedia.entrypoints.worker import WorkerRuntime

DEMO_USER = "demo@genmedia.local"
DEMO_CREDITS = 100
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}


def _first_requests(user_id: int, feature_id: int) -> list[SubmitRequest]:
    return [
        SubmitRequest(
            user_id=user_id,
            template="studio-portrait",
            user_prompt="a smiling astronaut",
            selected_options={
                "glasses": "yes",
                "hairColor": "red",
                "backgrounds": ["beach", "city"],
                "styles": ["cinematic"],
            },
            input_metadata={"batch_size": 4},
            params={"width": 448, "height": 448},
        ),
        SubmitRequest(
            user_id=user_id,
            feature_id=feature_id,
            user_prompt="a lighthouse on a cliff at sunset, dramatic ocean sky",
            params={"output_format": "jpeg", "width": 640, "height": 384},
        ),
    ]


def _edit(user_id: int, media: Media) -> SubmitRequest:
    return SubmitRequest(
        user_id=user_id,
        template="restyle-photo",
        media_ids=[media.id or 0],
        selected_options={"style": "watercolor"},
        params={"output_format": "webp", "width": 448, "height": 448},
    )


def _export(
    container: Container, out: Path, requests: list[GenerationRequest]
) -> list[list[object]]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.suffix in IMAGE_SUFFIXES or old.name == "index.html":
            old.unlink()
    storage = container.storage()
    rows: list[list[object]] = []
    items: list[GalleryItem] = []
    for request in requests:
        _, media = container.request_details(request.id or 0)
        by_job = {m.job_id: m for m in media}
        for job in request.jobs:
            item = by_job.get(job.id)
            name = Path(item.storage_path).suffix if item else ""
            filename = f"r{request.id}-j{job.id}{name}" if item else ""
            if item:
                (out / filename).write_bytes(storage.get(item.storage_path))
                edit = (
                    f" · edit of media {item.original_media_id}" if item.original_media_id else ""
                )
                items.append(
                    GalleryItem(
                        src=filename,
                        blurhash=item.info.blurhash,
                        width=item.info.width,
                        height=item.info.height,
                        caption=f"request {request.id} · job {job.id} · {job.status.value}{edit}",
                        detail=request.final_prompt,
                    )
                )
            size = (
                f"{item.info.width}×{item.info.height} {item.info.file_size // 1024} KiB"
                if item
                else ""
            )
            rows.append(
                [
                    request.id,
                    job.id,
                    job.status.value,
                    filename or job.error_code,
                    size,
                    item.info.blurhash if item else "",
                ]
            )
    write_gallery(out / "index.html", "genmedia demo", items)
    return rows


def _topped_up(container: Container, user_id: int) -> Wallet:
    """The demo user's wallet, granted enough credits by an admin adjustment to run again."""
    wallet = container.wallet_of(user_id)
    if wallet.available < DEMO_CREDITS:
        container.adjust_credits(
            AdjustCredits(
                user_id=user_id,
                amount=DEMO_CREDITS - wallet.available,
                reason="demo top-up",
                reference_id=f"demo-topup:{uuid.uuid4()}",
            )
        )
        wallet = container.wallet_of(user_id)
    return wallet


def _wallet_line(label: str, wallet: Wallet) -> str:
    return (
        f"{label}: balance {wallet.balance}, held {wallet.held}, available {wallet.available}, "
        f"spent {wallet.total_spent}"
    )


def run_demo(container: Container) -> int:
    """Upgrade, seed, submit three requests, run them in-process and write var/demo/."""
    from genmedia.adapters.sql import migrate

    started = time.monotonic()
    config = container.config
    migrate.upgrade(config.database_url())
    container.seed_catalog()
    user = container.ensure_user(CreateUser(email=DEMO_USER, name="Demo"))
    before = _topped_up(container, user.id or 0)
    print(_wallet_line("wallet before", before))
    runtime = WorkerRuntime(container)
    runtime.start()
    try:
        text_to_image = next(f for f in container.list_features() if f.name == "Text to image")
        commands = _first_requests(user.id or 0, text_to_image.id or 0)
        first = [container.submit_request(cmd) for cmd in commands]
        runtime.kick()
        print(f"submitted requests {', '.join(str(r.id) for r in first)}; running their jobs")
        first = follow(container, [r.id or 0 for r in first])
        _, portrait_media = container.request_details(first[0].id or 0)
        if not portrait_media:
            print("the template request produced no image to edit")
            return 1
        edit = container.submit_request(_edit(user.id or 0, portrait_media[0]))
        runtime.kick()
        print(f"submitted edit request {edit.id} of media {portrait_media[0].id}")
        requests = first + follow(container, [edit.id or 0])
    finally:
        runtime.stop()
    out = Path(config.home()) / "demo"
    rows = _export(container, out, requests)
    print(table(["request", "job", "status", "media file", "size", "blurhash"], rows))
    after = container.wallet_of(user.id or 0)
    print(_wallet_line("wallet before", before))
    print(_wallet_line("wallet after ", after))
    charged = sum(r.credits_charged for r in requests)
    print(f"charged {charged} credits for {sum(len(r.jobs) for r in requests)} jobs")
    unfinished = sum(1 for r in requests for j in r.jobs if not j.status.is_terminal)
    failed = sum(1 for r in requests for j in r.jobs if j.status.value != "completed")
    print(f"gallery: {out / 'index.html'}  ({time.monotonic() - started:.1f}s)")
    return 1 if unfinished or failed else 0
