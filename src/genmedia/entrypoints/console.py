"""Terminal output: a progress bar and plain tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO


class ProgressBar:
    """A one-line progress bar; on a non-terminal it prints a line only when the count changes."""

    def __init__(
        self, total: int, label: str = "jobs", out: TextIO | None = None, width: int = 30
    ) -> None:
        self.total = max(total, 1)
        self.label = label
        self.out = out or sys.stderr
        self.width = width
        self.last: tuple[int, str] | None = None

    def update(self, done: int, detail: str = "") -> None:
        """Show `done` of the total, with a short detail such as counts per status."""
        if (done, detail) == self.last:
            return
        self.last = (done, detail)
        filled = round(self.width * done / self.total)
        bar = "█" * filled + "░" * (self.width - filled)
        line = f"{bar} {done}/{self.total} {self.label} {detail}".rstrip()
        if self.out.isatty():
            self.out.write("\r\x1b[2K" + line)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.out.isatty():
            self.out.write("\n")
            self.out.flush()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows aligned under their headers."""
    cells = [[str(c) for c in headers]] + [
        [("" if c is None else str(c)) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("─" * w for w in widths))
    return "\n".join(lines)
