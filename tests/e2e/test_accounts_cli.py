"""`genmedia users list|show` and `genmedia credits grant|deduct` on the embedded default."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from genmedia.entrypoints.cli import main

pytestmark = pytest.mark.e2e


class Cli:
    """Runs `genmedia` commands in this process."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self._capsys.readouterr()
        code = main(list(args))
        out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """A migrated genmedia home with two users."""
    for name in [name for name in os.environ if name.startswith("GENMEDIA_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENMEDIA_HOME", str(tmp_path))
    run = Cli(capsys)
    for command in (("db", "upgrade"), ("users", "create", "ann@example.com", "--admin"),
                    ("users", "create", "bo@shop.example")):  # fmt: skip
        code, out, err = run(*command)
        assert code == 0, out + err
    return run


def test_users_are_listed_newest_first_and_shown_with_their_wallet(cli: Cli) -> None:
    code, out, _ = cli("users", "list", "--json")
    assert code == 0
    assert [u["email"] for u in json.loads(out)] == ["bo@shop.example", "ann@example.com"]
    code, out, _ = cli("users", "list", "--email", "SHOP")
    assert out.split("\t")[1].strip() == "bo@shop.example"
    code, out, _ = cli("users", "show", "ann@example.com", "--json")
    shown = json.loads(out)
    assert (shown["is_admin"], shown["wallet"]["available"]) == (True, 100)
    assert cli("users", "show", "nobody@example.com")[0] == 1


def test_a_grant_applies_once_per_reference_and_a_deduction_only_what_is_available(
    cli: Cli,
) -> None:
    grant = ("credits", "grant", "bo@shop.example", "40", "--reason", "promo", "--reference", "p1")
    code, out, _ = cli(*grant, "--json")
    first = json.loads(out)
    assert (code, first["balance_after"], first["replayed"]) == (0, 140, False)
    code, out, _ = cli(*grant, "--json")
    assert json.loads(out) == {**first, "replayed": True}
    deduct = ("credits", "deduct", "bo@shop.example", "--reason", "fix", "--reference")
    code, out, err = cli(*deduct[:3], "141", *deduct[3:], "d1")
    assert (code, err.strip()) == (2, "error: needs 141 credits, 140 available")
    code, out, _ = cli(*deduct[:3], "40", *deduct[3:], "d2")
    assert (code, out.strip()) == (0, "debit of 40 applied: balance 100")
    assert cli(*deduct[:3], "0", *deduct[3:], "d3")[0] == 2
    code, out, _ = cli("users", "show", "bo@shop.example")
    assert "credits: 100 (0 held, 100 available)" in out
