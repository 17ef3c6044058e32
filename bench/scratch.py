"""Scratch directories that live until the benchmark process ends.

This machine's root filesystem is ext4 without a journal. In that mode ext4 will not reuse
an inode deleted less than a minute ago (six, while its inode table block is not written
back), and each new file's allocation scans past such inodes (`recently_deleted` in
fs/ext4/ialloc.c). After a few thousand deletions, creating a file costs 4–10 times as
much kernel time (measured: 35–50 µs → 140–450 µs per storage write). One suite's clean-up
would so slow the storage writes that the next suite measures, so a run removes all its
scratch directories together, when it ends.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path


def scratch_dir(prefix: str) -> Path:
    """A new directory, removed when the process exits (see the module docstring)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
