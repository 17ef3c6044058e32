"""`genmedia demo`: the whole Feature → Template → Request → Job → Media path, embedded."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.application.wallet.accounts import AdjustCredits
from genmedia.domain.job import Job
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


def _clear(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.suffix in IMAGE_SUFFIXES or old.name == "index.html":
            old.unlink()


def _filename(request: GenerationRequest, job: Job, item: Media | None) -> str:
    return f"r{request.id}-j{job.id}{Path(item.storage_path).suffix}" if item else ""


def _gallery_item(request: GenerationRequest, job: Job, item: Media) -> GalleryItem:
    edit = f" · edit of media {item.original_media_id}" if item.original_media_id else ""
    return GalleryItem(
        src=_filename(request, job, item),
        blurhash=item.info.blurhash,
        width=item.info.width,
        height=item.info.height,
        caption=f"request {request.id} · job {job.id} · {job.status.value}{edit}",
        detail=request.final_prompt,
    )


def _row(request: GenerationRequest, job: Job, item: Media | None) -> list[object]:
    size = f"{item.info.width}×{item.info.height} {item.info.file_size // 1024} KiB" if item else ""
    name = _filename(request, job, item) or job.error_code
    return [request.id, job.id, job.status.value, name, size, item.info.blurhash if item else ""]


def _export(
    container: Container, out: Path, requests: list[GenerationRequest]
) -> list[list[object]]:
    _clear(out)
    storage = container.storage()
    rows: list[list[object]] = []
    items: list[GalleryItem] = []
    for request in requests:
        _, media = container.request_details(request.id or 0)
        by_job = {m.job_id: m for m in media}
        for job in request.jobs:
            item = by_job.get(job.id)
            if item:
                (out / _filename(request, job, item)).write_bytes(storage.get(item.storage_path))
                items.append(_gallery_item(request, job, item))
            rows.append(_row(request, job, item))
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


def _run_requests(container: Container, user_id: int) -> list[GenerationRequest] | None:
    """Submit the first requests and the edit of their first image, and follow them all."""
    runtime = WorkerRuntime(container)
    runtime.start()
    try:
        text_to_image = next(
            f for f in container.list_features(limit=100).items if f.name == "Text to image"
        )
        commands = _first_requests(user_id, text_to_image.id or 0)
        first = [container.submit_request(cmd) for cmd in commands]
        runtime.kick()
        print(f"submitted requests {', '.join(str(r.id) for r in first)}; running their jobs")
        first = follow(container, [r.id or 0 for r in first])
        _, portrait_media = container.request_details(first[0].id or 0)
        if not portrait_media:
            print("the template request produced no image to edit")
            return None
        edit = container.submit_request(_edit(user_id, portrait_media[0]))
        runtime.kick()
        print(f"submitted edit request {edit.id} of media {portrait_media[0].id}")
        return first + follow(container, [edit.id or 0])
    finally:
        runtime.stop()


def _summary(requests: list[GenerationRequest], before: Wallet, after: Wallet) -> bool:
    """Print the wallets and the charge; whether every job completed."""
    print(_wallet_line("wallet before", before))
    print(_wallet_line("wallet after ", after))
    charged = sum(r.credits_charged for r in requests)
    print(f"charged {charged} credits for {sum(len(r.jobs) for r in requests)} jobs")
    return all(j.status.value == "completed" for r in requests for j in r.jobs)


def run_demo(container: Container) -> int:
    """Upgrade, seed, submit three requests, run them in-process and write var/demo/."""
    from genmedia.adapters.sql import migrate

    started = time.monotonic()
    migrate.upgrade(container.config.database_url())
    container.seed_catalog()
    user = container.ensure_user(CreateUser(email=DEMO_USER, name="Demo"))
    before = _topped_up(container, user.id or 0)
    print(_wallet_line("wallet before", before))
    requests = _run_requests(container, user.id or 0)
    if requests is None:
        return 1
    out = Path(container.config.home()) / "demo"
    rows = _export(container, out, requests)
    print(table(["request", "job", "status", "media file", "size", "blurhash"], rows))
    completed = _summary(requests, before, container.wallet_of(user.id or 0))
    print(f"gallery: {out / 'index.html'}  ({time.monotonic() - started:.1f}s)")
    return 0 if completed else 1
