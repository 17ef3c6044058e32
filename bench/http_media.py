"""The upload figure of bench.http: a big image, and a server's peak RSS growth."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import httpx
from PIL import Image
from tests.http.served import Server

MIB = 1024 * 1024


def big_image(folder: Path, size: int) -> Path:
    """A valid PNG of exactly `size` bytes: a 1024×1024 image, padded with a private chunk."""
    path = folder / "big.png"
    Image.new("RGB", (1024, 1024), (90, 140, 200)).save(path)
    data = path.read_bytes()
    end = data.rindex(b"IEND") - 4
    pad = size - len(data) - 12
    chunk = b"prVt" + b"\0" * pad
    crc = zlib.crc32(chunk).to_bytes(4, "big")
    path.write_bytes(data[:end] + pad.to_bytes(4, "big") + chunk + crc + data[end:])
    return path


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def peak_rss_growth_mib(server: Server, headers: dict[str, str], image: Path) -> float:
    """The largest growth of any server process's peak RSS while `image` is uploaded."""
    processes = _descendants(server.pid)
    for pid in processes:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = {pid: _kib(pid, "VmHWM") for pid in processes}
    with image.open("rb") as file:
        files = {"file": (image.name, file, "image/png")}
        answer = httpx.post(f"{server.base}/v1/media", headers=headers, files=files, timeout=300)
    if answer.status_code != 201:
        raise RuntimeError(f"the upload answered {answer.status_code}: {answer.text[:500]}")
    return max(_kib(pid, "VmHWM") - before[pid] for pid in processes) / 1024
