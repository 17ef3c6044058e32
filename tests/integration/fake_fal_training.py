"""What the fake fal does for LoRA trainings and LoRA generations (providers.md §2.10).

A submit to a trainer endpoint (`…-training`, `…-trainer`) makes the fake download the zip
at `images_data_url` at once, as fal does, and keep the names and bytes of its files; an
archive it cannot download or read makes the request complete with fal's
`file_download_error`. A completed training's result names its LoRA
(`diffusers_lora_file`) and `config_file` as files on the fake, each served at most
`Script.lora_fetches` times and then gone (404): fal's URLs expire, so a caller must copy
them at once. A generation that names `loras: [{path, scale}]` makes the fake download
each path, as fal does, and keep what it got.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import attrs
import httpx

WEIGHTS_NAME = "pytorch_lora_weights.safetensors"
CONFIG_NAME = "config.json"


@attrs.define
class Archive:
    """The images a training got: the archive's file names in order and their bytes."""

    names: list[str] = attrs.field(factory=list)
    data: bytes = b""


def is_trainer(endpoint: str) -> bool:
    """Whether the endpoint trains a LoRA."""
    return endpoint.endswith(("-training", "-trainer"))


def download_archive(url: Any) -> Archive | None:
    """The training archive at `url`, as fal downloads it; None if it cannot be read."""
    data = download(url)
    if data is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return Archive(names=archive.namelist(), data=data)
    except zipfile.BadZipFile:
        return None


def download(url: Any) -> bytes | None:
    """The bytes at a URL the fake is handed; None if it is no URL or does not answer 200."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    try:
        answer = httpx.get(url, timeout=10)
    except httpx.HTTPError:
        return None
    return answer.content if answer.status_code == 200 else None


def lora_downloads(body: dict[str, Any]) -> list[bytes | None]:
    """Each LoRA a generation names, downloaded from its path."""
    loras = body.get("loras")
    items = loras if isinstance(loras, list) else []
    return [download(item.get("path")) for item in items if isinstance(item, dict)]


def training_files(request_id: str, archive: Archive, body: dict[str, Any]) -> dict[str, bytes]:
    """The files a training makes, by name: a "LoRA" that depends on its images, and its config."""
    digest = hashlib.sha256(archive.data).hexdigest()
    weights = f"fake-safetensors:{digest}:{body.get('trigger_word')}".encode()
    config = {"request_id": request_id, "images": archive.names, "steps": body.get("steps")}
    return {WEIGHTS_NAME: weights, CONFIG_NAME: json.dumps(config).encode()}


def training_result(base_url: str, request_id: str, files: dict[str, bytes]) -> dict[str, Any]:
    """A finished training's result: its LoRA and config as files on the fake."""

    def file(name: str, kind: str) -> dict[str, Any]:
        url = f"{base_url}/files/{request_id}/{name}"
        return {"url": url, "content_type": kind, "file_name": name, "file_size": len(files[name])}

    return {
        "diffusers_lora_file": file(WEIGHTS_NAME, "application/octet-stream"),
        "config_file": file(CONFIG_NAME, "application/json"),
        "debug_preprocessed_output": None,
    }
