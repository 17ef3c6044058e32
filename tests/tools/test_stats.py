"""tools/stats.py prints the size figures of a source tree and checks their limits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "stats.py"


def _function(name: str, lines: int) -> str:
    """A function spanning exactly `lines` lines, docstring included."""
    body = "".join(f"    x{n} = {n}\n" for n in range(lines - 2))
    return f"def {name}():\n" + '    """Docstring."""\n' + body


def _tree(root: Path, modules: dict[str, str]) -> Path:
    for name, text in modules.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def _stats(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _row(output: str, layer: str) -> list[str]:
    """The figures the report prints for one layer: modules, functions, median, limit …"""
    (line,) = (line for line in output.splitlines() if line.startswith(f"{layer} "))
    return line.split()[1:]


def test_a_module_of_251_lines_is_reported_and_fails_the_check(tmp_path: Path) -> None:
    long_module = _function("f", 3) + "\n" * 248
    root = _tree(tmp_path, {"domain/long.py": long_module, "domain/short.py": "x = 1\n" * 250})

    shown, checked = _stats(root), _stats("--check", root)

    assert shown.returncode == 0, shown.stderr
    assert "modules over 250 lines: 1" in shown.stdout
    assert "251" in shown.stdout
    assert "long.py" in shown.stdout
    assert "short.py" not in shown.stdout
    assert checked.returncode == 1
    assert "size limits broken" in checked.stderr


def test_a_tree_within_the_limits_passes_the_check(tmp_path: Path) -> None:
    functions = _function("a", 3) + _function("b", 8) + _function("c", 12)
    root = _tree(tmp_path, {f"{layer}/m.py": functions for layer in ("domain", "adapters")})

    checked = _stats("--check", root)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "modules over 250 lines: 0" in checked.stdout
    assert _row(checked.stdout, "domain") == ["1", "3", "8.0", "8"]


def test_a_layer_whose_median_function_is_longer_than_8_lines_fails_the_check(
    tmp_path: Path,
) -> None:
    functions = _function("a", 3) + _function("b", 9) + _function("c", 30)
    root = _tree(tmp_path, {"application/m.py": functions, "domain/m.py": _function("d", 2)})

    checked = _stats("--check", root)

    assert checked.returncode == 1
    assert _row(checked.stdout, "application") == ["1", "3", "9.0", "8", "OVER"]
    assert _row(checked.stdout, "domain") == ["1", "1", "2.0", "8"]


def test_a_function_counts_from_its_def_line_to_its_last_line_and_nested_ones_count_too(
    tmp_path: Path,
) -> None:
    source = (
        "import functools\n"
        "@functools.cache\n"  # decorators do not count
        "def outer():\n"
        '    """Docstring."""\n'
        "\n"
        "    # a comment\n"
        "    def inner():\n"
        "        return 1\n"
        "    return inner\n"
    )
    root = _tree(tmp_path, {"entrypoints/m.py": source})

    shown = _stats(root)

    assert "from the `def` line to the function's last line, inclusive" in shown.stdout
    assert _row(shown.stdout, "entrypoints") == ["1", "2", "4.5", "8"]  # outer 7, inner 2
