"""The demo flow and the CLI, end to end on the embedded default."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.demo import run_demo
from genmedia.entrypoints.library import wait_for
from genmedia.entrypoints.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in {".png", ".jpg", ".webp"})


def demo(home: Path) -> int:
    container = build_container(Settings(home=home))
    try:
        return run_demo(container)
    finally:
        container.shutdown_resources()


def test_the_demo_leaves_six_distinct_valid_images_and_a_gallery(tmp_path: Path) -> None:
    assert demo(tmp_path) == 0
    out = tmp_path / "demo"
    files = image_files(out)
    assert len(files) >= 6
    assert len({f.read_bytes() for f in files}) == len(files)
    assert {f.suffix for f in files} == {".png", ".jpg", ".webp"}
    for f in files:
        with Image.open(f) as im:
            im.verify()
    page = (out / "index.html").read_text()
    assert all(f.name in page for f in files)


def test_the_demo_runs_again_on_the_same_home(tmp_path: Path) -> None:
    assert demo(tmp_path) == 0
    assert demo(tmp_path) == 0
    assert len(image_files(tmp_path / "demo")) >= 6


def test_the_demo_leaves_no_job_pending_or_processing(tmp_path: Path) -> None:
    assert demo(tmp_path) == 0
    container = build_container(Settings(home=tmp_path))
    try:
        with container.uow() as uow:
            assert uow.outbox.count_unfinished(list(range(1, 100))) == 0
    finally:
        container.shutdown_resources()


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"GENMEDIA_HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "genmedia.entrypoints.cli", *args],
        capture_output=True, text=True, env=env, cwd=home, check=False, timeout=300,
    )  # fmt: skip


@pytest.fixture
def cli_home(tmp_path: Path) -> Path:
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    assert run_cli(tmp_path, "seed").returncode == 0
    created = run_cli(tmp_path, "users", "create", "ann@example.com")
    assert created.returncode == 0, created.stderr
    return tmp_path


def test_generate_with_wait_and_json_prints_the_request_its_jobs_and_media(cli_home: Path) -> None:
    done = run_cli(
        cli_home, "generate", "--template", "neon-city", "--prompt", "a tram",
        "--option", "timeOfDay=dusk", "--batch", "2", "--seed", "5",
        "--param", "width=128", "--param", "height=128", "--user", "ann@example.com",
        "--wait", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["request"]["status"] == "completed"
    assert payload["request"]["selected_options"] == {"timeOfDay": "dusk"}
    assert [j["status"] for j in payload["jobs"]] == ["completed", "completed"]
    assert [(m["width"], m["height"]) for m in payload["media"]] == [(128, 128), (128, 128)]
    assert all(m["blurhash"] for m in payload["media"])


def test_generate_names_the_bad_field_and_stores_nothing(cli_home: Path) -> None:
    bad = run_cli(
        cli_home, "generate", "--template", "studio-portrait", "--option", "hairColor=green",
        "--user", "ann@example.com",
    )  # fmt: skip
    assert bad.returncode == 2
    assert "selected_options.hairColor" in bad.stderr


def test_seed_twice_adds_nothing_the_second_time(cli_home: Path) -> None:
    again = run_cli(cli_home, "seed")
    assert again.returncode == 0
    assert (
        "0 provider models, 0 features, 0 tags, 0 templates, 0 credit packs added" in again.stdout
    )


def test_the_library_example_in_the_docs_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "example_library.py"), str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "completed" in done.stdout


def test_the_demo_runs_on_postgresql_too(tmp_path: Path, empty_postgres_url: str) -> None:
    container = build_container(Settings(home=tmp_path, database_url=empty_postgres_url))
    try:
        assert run_demo(container) == 0
    finally:
        container.shutdown_resources()
    assert len(image_files(tmp_path / "demo")) >= 6


def test_a_worker_process_runs_queued_requests_and_stops_on_sigterm(cli_home: Path) -> None:
    queued = run_cli(
        cli_home, "generate", "--template", "neon-city", "--param", "width=64",
        "--param", "height=64", "--user", "ann@example.com",
    )  # fmt: skip
    assert queued.returncode == 0, queued.stderr
    request_id = int(queued.stdout.strip())
    env = {"GENMEDIA_HOME": str(cli_home), "PATH": "/usr/bin:/bin"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "genmedia.entrypoints.cli", "worker", "--threads", "2"],
        env=env, cwd=cli_home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        container = build_container(Settings(home=cli_home))
        try:
            done = wait_for(container, [request_id], timeout=120)
        finally:
            container.shutdown_resources()
        assert done[0].status.value == "completed"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
