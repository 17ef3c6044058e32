"""`genmedia providers sync` end to end: the command against a fake Replicate, then requests
checked against the schema it stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from genmedia.entrypoints.cli import main
from tests.integration.fake_replicate import API_KEY, MODEL, FakeReplicate
from tests.integration.fake_replicate_server import fake_replicate_server

pytestmark = pytest.mark.e2e

USER = "ann@example.com"
TEMPLATE = "quick-concept-art"  # the sample catalog's template on flux-schnell


class Cli:
    """Runs `genmedia` commands in this process, with the environment the test set."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self._capsys.readouterr()
        code = main(list(args))
        out, err = self._capsys.readouterr()
        return code, out, err

    def generate(self, *params: str) -> tuple[int, str, str]:
        chosen = [option for param in params for option in ("--param", param)]
        return self("generate", "--template", TEMPLATE, "--user", USER, *chosen)


@pytest.fixture
def replicate() -> Iterator[FakeReplicate]:
    with fake_replicate_server() as server:
        yield server


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """A seeded genmedia home with the user USER and no provider configured."""
    for name in [name for name in os.environ if name.startswith("GENMEDIA_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENMEDIA_HOME", str(tmp_path))
    return Cli(capsys)


def _ready(run: Cli) -> None:
    for command in (("db", "upgrade"), ("seed",), ("users", "create", USER)):
        code, out, err = run(*command)
        assert code == 0, out + err


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_after_sync_a_request_is_held_to_what_replicate_publishes(
    database: str,
    cli: Cli,
    replicate: FakeReplicate,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if database == "postgresql":
        monkeypatch.setenv("GENMEDIA_DATABASE_URL", request.getfixturevalue("empty_postgres_url"))
    monkeypatch.setenv("GENMEDIA_REPLICATE_API_KEY", API_KEY)
    monkeypatch.setenv("GENMEDIA_REPLICATE_BASE_URL", replicate.base_url)
    _ready(cli)
    before = cli.generate("num_outputs=2")

    code, out, err = cli("providers", "sync", "replicate", MODEL)

    assert (code, err) == (0, ""), out + err
    assert out.startswith(f"synced replicate {MODEL} at ")
    assert "aspect_ratio, disable_safety_checker, go_fast, megapixels" in out
    assert before[:1] == (2,)
    assert "params.num_outputs: is not a known parameter" in before[2]
    assert cli.generate("num_outputs=2")[::2] == (2, "error: params.num_outputs: must be 1\n")
    assert cli.generate("num_inference_steps=9")[::2] == (
        2,
        "error: params.num_inference_steps: must be at most 4\n",
    )
    accepted, shown, _ = cli.generate("num_inference_steps=2", 'megapixels="0.25"')
    assert accepted == 0
    assert shown.strip().isdigit()


def test_sync_names_the_key_to_set_and_the_model_the_catalog_lacks(
    cli: Cli, replicate: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready(cli)

    unconfigured = cli("providers", "sync", "replicate", MODEL)
    monkeypatch.setenv("GENMEDIA_REPLICATE_API_KEY", API_KEY)
    monkeypatch.setenv("GENMEDIA_REPLICATE_BASE_URL", replicate.base_url)
    unknown = cli("providers", "sync", "replicate", "someone/else", MODEL)

    assert unconfigured[::2] == (
        2,
        "error: replicate is not configured: set GENMEDIA_REPLICATE_API_KEY\n",
    )
    assert unknown[0] == 1
    lacking = "no replicate model 'someone/else' in the catalog; add it first"
    assert unknown[2] == f"error: someone/else: {lacking}\n"
    assert f"synced replicate {MODEL}" in unknown[1]
    assert replicate.requests_to("/v1/models/someone") == []
