"""Scratch directories that live until the benchmark process ends, and waiting for the
filesystem to settle before a phase that writes files.

This machine's root filesystem is ext4 without a journal. In that mode ext4 will not reuse
an inode deleted less than a minute ago (six, while its inode table block is not written
back), and each new file's allocation scans past such inodes (`recently_deleted` in
fs/ext4/ialloc.c). After a few thousand deletions, creating a file costs 4–15 times as
much kernel time (measured: 35–60 µs → 140–870 µs per storage write), and the cost drops
back about a minute after the last deletion once the inode tables are written back. One
suite's clean-up would so slow the storage writes that the next suite measures, so a run
removes all its scratch directories (and databases, see bench.pg) together, when it ends;
and a phase that writes files first waits, with `settle`, for the deletions made before
the run (by a test suite, say) to age out.
"""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from genmedia.adapters.storage.local import LocalDirectoryStorage

PROBE_WRITES = 400
SETTLED_US = 90.0  # settled: 35–66 µs; within a minute of deletions: 90–870
SETTLE_LIMIT = 150.0  # seconds; the recently-deleted window is 60 s once written back
SETTLE_PAUSE = 5.0


def scratch_dir(prefix: str) -> Path:
    """A new directory, removed when the process exits (see the module docstring)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def storage_probe_us(root: Path, writes: int = PROBE_WRITES) -> float:
    """Median kernel-and-Python time (µs of this thread's CPU) of writing a 3 KB object to
    local storage in a new folder under `root`, as the pipeline's workers do."""
    storage = LocalDirectoryStorage(Path(tempfile.mkdtemp(prefix="probe-", dir=root)))
    data = os.urandom(3000)
    times = []
    for i in range(writes):
        began = time.thread_time()
        storage.put(f"r{i // 8}/j{i}-0.png", data, "image/png")
        times.append((time.thread_time() - began) * 1e6)
    return statistics.median(times)


def settle(root: Path, limit: float = SETTLE_LIMIT) -> tuple[float, float]:
    """Flush dirty pages, then probe storage writes under `root` every SETTLE_PAUSE seconds
    until one costs at most SETTLED_US or `limit` seconds passed; the last probe (µs) and
    the seconds waited. The probes' own files stay until the run ends."""
    began = time.monotonic()
    while True:
        os.sync()  # written-back inode tables end the longer recently-deleted window
        probe = storage_probe_us(root)
        waited = time.monotonic() - began
        if probe <= SETTLED_US or waited >= limit:
            return probe, waited
        print(f"  storage writes cost {probe:.0f} µs: waiting for recent deletions to age out")
        time.sleep(SETTLE_PAUSE)
