"""`genmedia coupons create|list` and `genmedia gift-cards list` on a migrated SQLite file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from genmedia.entrypoints.cli import main
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.settings import Settings

pytestmark = pytest.mark.integration

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """Runs one `genmedia` command on this test's database: its exit code and output."""
    for name in [name for name in os.environ if name.startswith("GENMEDIA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GENMEDIA_HOME", str(tmp_path))
    monkeypatch.setenv("GENMEDIA_DATABASE_URL", sqlite_url)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_coupons_are_created_and_listed_as_text_and_json(run: Run) -> None:
    code, out, _ = run("coupons", "create", "spring10", "--type", "percentage", "--value", "10")
    assert code == 0
    assert "SPRING10: 10% off" in out
    run("coupons", "create", "GIFT50", "--type", "credits", "--value", "50", "--max-uses", "5")
    code, out, _ = run("coupons", "list")
    assert out.index("GIFT50") < out.index("SPRING10")
    assert "uses 0/5" in out
    code, out, _ = run("coupons", "list", "--json")
    listed = json.loads(out)
    assert [(c["code"], c["discount_type"], c["max_uses"]) for c in listed] == [
        ("GIFT50", "credits", 5),
        ("SPRING10", "percentage", None),
    ]


def test_a_bad_coupon_is_refused_naming_its_field(run: Run) -> None:
    code, _, err = run("coupons", "create", "BIG", "--type", "percentage", "--value", "150")
    assert code == 2
    assert "discount_value" in err
    code, _, err = run("coupons", "create", "FIX", "--type", "fixed_amount", "--value", "5")
    assert (code, "currency" in err) == (2, True)
    assert json.loads(run("coupons", "list", "--json")[1]) == []


def test_gift_cards_are_listed_by_hint_never_by_code(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    container = build_container(Settings(home=tmp_path, database_url=sqlite_url))
    try:
        container.seed_catalog()
        pack = container.list_credit_packs(limit=1).items[0]
        issued = container.buy_gift_card(pack.id or 0, purchaser_email="giver@example.com")
    finally:
        container.shutdown_resources()
    code, out, _ = run("gift-cards", "list")
    assert code == 0
    assert f"…{issued.card.code_hint}" in out
    assert "pending" in out
    _, out, _ = run("gift-cards", "list", "--json")
    assert [c["id"] for c in json.loads(out)] == [issued.card.id]
    assert issued.code not in out
    assert issued.card.code_hash not in out
