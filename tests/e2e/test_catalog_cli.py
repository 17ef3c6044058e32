"""`genmedia catalog export|load` end to end on the embedded default (issue #20 §5, §8)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from genmedia.entrypoints.cli import main

pytestmark = pytest.mark.e2e


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A migrated, seeded genmedia home on SQLite."""
    for name in [name for name in os.environ if name.startswith("GENMEDIA_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENMEDIA_HOME", str(tmp_path))
    for command in (("db", "upgrade"), ("seed",)):
        code, out, err = _run(capsys, *command)
        assert code == 0, out + err
    return tmp_path


def test_an_exported_catalog_loads_back_without_a_change(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "catalog", "export", "catalog.json")
    assert (code, err) == (0, "catalog written to catalog.json\n")

    code, out, err = _run(capsys, "catalog", "load", "catalog.json", "--json")

    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["writes"] is False
    assert report["sections"]["templates"]["unchanged"][0] == "alpine-landscape"
    assert report["sections"]["settings"]["unchanged"] == ["request_archive_days", "vnd_per_credit"]
    _, stdout, _ = _run(capsys, "catalog", "export", "-")
    assert stdout == (home / "catalog.json").read_text(encoding="utf-8")


def test_a_pruning_load_reports_what_it_retired(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, exported, _ = _run(capsys, "catalog", "export", "-")
    document = json.loads(exported)
    document["tags"] = [t for t in document["tags"] if t["name"] != "Fantasy"]
    document["settings"] = []  # settings are never retired
    for template in document["templates"]:
        template["tag"] = None if template["tag"] == "Fantasy" else template["tag"]
    (home / "smaller.json").write_text(json.dumps(document), encoding="utf-8")

    code, out, err = _run(capsys, "catalog", "load", "smaller.json", "--prune")

    assert (code, err) == (0, "")
    assert "tags: 0 created, 0 updated, 2 unchanged, 0 kept, 1 retired" in out
    assert "templates: 0 created, 2 updated, 7 unchanged, 0 kept, 0 retired" in out
    assert "settings: 0 created, 0 updated, 0 unchanged, 2 kept, 0 retired" in out


def test_a_bad_file_is_refused_whole_with_each_problem_on_its_own_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, exported, _ = _run(capsys, "catalog", "export", "-")
    document = json.loads(exported)
    document["tags"][0]["icon"] = 3
    document["templates"][0]["feature"] = "Nope"
    document["credit_packs"].append(
        {"name": "Mega", "credits": 1000, "price": 9, "currency": "USD"}
    )
    document["settings"].append({"key": "bfl_api_key", "value": "sk-1"})
    (home / "bad.json").write_text(json.dumps(document), encoding="utf-8")
    (home / "broken.json").write_text("{", encoding="utf-8")

    code, out, err = _run(capsys, "catalog", "load", "bad.json")
    broken, _, unreadable = _run(capsys, "catalog", "load", "broken.json")

    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: tags[0].icon: must be a string or null",
        "error: settings[2].key: names a credential; encrypted settings are never in a catalog"
        " document: use `genmedia settings set`",
        "error: templates[0].feature: names 'Nope', which is not in features",
    ]
    _, after, _ = _run(capsys, "catalog", "export", "-")
    assert "Mega" not in after
    assert broken == 2
    assert unreadable.startswith("error: broken.json: ")
