"""The training images as one zip archive in our storage, for a trainer that downloads them
(fal's `images_data_url`, Replicate's `input_images`)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from genmedia.application.ports import InputImage, ObjectStorage

# How long a trainer may take to download the archive (trainings may wait in a queue).
ARCHIVE_URL_SECONDS = 6 * 3600
_SUFFIX = re.compile(r"[A-Za-z0-9]{1,12}")


def zipped(images: Sequence[InputImage]) -> bytes:
    """The images in a zip archive, in order: `01.jpg`, `02.png`, …"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for position, image in enumerate(images, start=1):
            info = zipfile.ZipInfo(f"{position:02d}.{image.file_format.lower()}")
            info.date_time = (1980, 1, 1, 0, 0, 0)  # the same images give the same bytes
            archive.writestr(info, image.data)
    return buffer.getvalue()


def archive_url(key: str, images: Sequence[InputImage], storage: ObjectStorage) -> str:
    """Store the images' archive under `key`; a time-limited URL that reads it."""
    storage.put(key, zipped(images), "application/zip")
    return storage.url(key, ARCHIVE_URL_SECONDS)


def suffix_of(url: str | None) -> str:
    """The file suffix of a URL's path (`.safetensors`), or "" if it has none we keep."""
    name = (url or "").split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    _, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and _SUFFIX.fullmatch(suffix) else ""
