"""Print the size figures of the source tree: median function length per layer, long modules.

Usage: python tools/stats.py [--check] [ROOT]   (ROOT defaults to src/genmedia)

With --check the exit status is 1 when a limit is broken.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

LAYERS = ("domain", "application", "adapters", "entrypoints")
MEDIAN_LIMIT = 8
MODULE_LIMIT = 250
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "src" / "genmedia"
LENGTH_RULE = (
    "function length = lines from the `def` line to the function's last line, inclusive"
    " (signature, docstring, comments and blank lines count; decorators do not)"
)


@dataclass(frozen=True)
class Layer:
    """The figures of one layer: its modules and the length of each of its functions."""

    name: str
    modules: int
    lengths: tuple[int, ...]

    @property
    def median(self) -> float:
        """The median function length, 0 for a layer without functions."""
        return statistics.median(self.lengths) if self.lengths else 0.0

    @property
    def within_limit(self) -> bool:
        """Whether the median function length meets MEDIAN_LIMIT."""
        return self.median <= MEDIAN_LIMIT


def function_lengths(source: str) -> list[int]:
    """The length of every function and method in a module's source, nested ones included."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    return [
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, functions)
    ]


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def measure_layer(root: Path, name: str) -> Layer:
    """The figures of the layer `name`, a package directly under `root`."""
    modules = _modules(root / name)
    lengths = [n for m in modules for n in function_lengths(m.read_text(encoding="utf-8"))]
    return Layer(name=name, modules=len(modules), lengths=tuple(lengths))


def long_modules(root: Path) -> list[tuple[Path, int]]:
    """Every module under `root` longer than MODULE_LIMIT lines, with its length."""
    sizes = ((m, len(m.read_text(encoding="utf-8").splitlines())) for m in _modules(root))
    return [(module, lines) for module, lines in sizes if lines > MODULE_LIMIT]


def _layer_lines(layers: Sequence[Layer]) -> Iterator[str]:
    yield f"{'layer':<13}{'modules':>8}{'functions':>11}{'median':>8}  limit"
    for layer in layers:
        mark = "" if layer.within_limit else "  OVER"
        yield (
            f"{layer.name:<13}{layer.modules:>8}{len(layer.lengths):>11}"
            f"{layer.median:>8.1f}  {MEDIAN_LIMIT}{mark}"
        )


def _module_lines(modules: Sequence[tuple[Path, int]]) -> Iterator[str]:
    yield f"modules over {MODULE_LIMIT} lines: {len(modules)}"
    for module, lines in modules:
        yield f"  {lines:>5}  {os.path.relpath(module)}"


def report(root: Path) -> tuple[list[str], bool]:
    """The report's lines for the tree at `root`, and whether every limit is met."""
    layers = [measure_layer(root, name) for name in LAYERS]
    modules = long_modules(root)
    lines = [LENGTH_RULE, "", *_layer_lines(layers), "", *_module_lines(modules)]
    return lines, all(layer.within_limit for layer in layers) and not modules


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; with --check, return 1 when a limit is broken."""
    parser = argparse.ArgumentParser(description="Print the size figures of the source tree.")
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--check", action="store_true", help="exit 1 when a limit is broken")
    args = parser.parse_args(argv)
    lines, ok = report(args.root)
    print("\n".join(lines))
    if args.check and not ok:
        print("size limits broken", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
