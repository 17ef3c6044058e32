"""`genmedia batch` end to end on the embedded default: a batch of two reference images,
followed with a progress bar or printed as JSON, and a bad option named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genmedia.application.media.uploads import UploadMedia
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.settings import Settings
from tests.e2e.test_demo import run_cli
from tests.images import encode, picture

USER = "ann@example.com"


@pytest.fixture
def references(tmp_path: Path) -> tuple[Path, list[str]]:
    """A migrated and seeded home with a user who uploaded two reference images."""
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    assert run_cli(tmp_path, "seed").returncode == 0
    assert run_cli(tmp_path, "users", "create", USER).returncode == 0
    container = build_container(Settings(home=tmp_path))
    try:
        user = container.find_user(USER)
        ids = [
            container.upload_media(
                UploadMedia(
                    user_id=user.id or 0,
                    filename=f"me{i}.png",
                    content=[encode(picture((80 + i * 8, 64)), "PNG")],
                )
            ).id
            for i in range(2)
        ]
    finally:
        container.shutdown_resources()
    return tmp_path, [str(media_id) for media_id in ids]


def _batch(home: Path, refs: list[str], *extra: str) -> list[str]:
    return [
        "batch", "--template", "headshot-session", "--reference", refs[0],
        "--reference", refs[1], "--option", "hairColor=red", "--option", "backgrounds=beach",
        "--option", "backgrounds=city", "--param", "width=64", "--param", "height=64",
        "--user", USER, *extra,
    ]  # fmt: skip


def test_a_waited_batch_prints_every_request_with_its_images_as_json(
    references: tuple[Path, list[str]],
) -> None:
    home, refs = references
    done = run_cli(home, *_batch(home, refs, "--per-reference", "2", "--wait", "--json"))
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["batch"]["status"] == "completed"
    assert (payload["batch"]["total_images"], payload["batch"]["images_done"]) == (4, 4)
    assert payload["batch"]["selected_options"]["backgrounds"] == ["beach", "city"]
    assert [len(r["media"]) for r in payload["requests"]] == [2, 2]
    assert [r["request"]["status"] for r in payload["requests"]] == ["completed"] * 2


def test_a_waited_batch_shows_a_progress_bar_until_every_image_is_made(
    references: tuple[Path, list[str]],
) -> None:
    home, refs = references
    done = run_cli(home, *_batch(home, refs, "--wait"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit()
    assert "8/8 jobs completed=8" in done.stderr
    assert "8 images, 32 credits reserved" in done.stderr


def test_a_batch_with_a_bad_option_names_it_and_reserves_nothing(
    references: tuple[Path, list[str]],
) -> None:
    home, refs = references
    bad = run_cli(home, *_batch(home, refs, "--option", "glasses=maybe"))
    assert bad.returncode == 2
    assert "selected_options.glasses" in bad.stderr
    container = build_container(Settings(home=home))
    try:
        wallet = container.wallet_of(container.find_user(USER).id or 0)
    finally:
        container.shutdown_resources()
    assert (wallet.balance, wallet.held) == (100, 0)
