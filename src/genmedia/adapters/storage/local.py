"""Object storage in a local directory, for the embedded default."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from genmedia.adapters.storage.signed_urls import UrlSigner
from genmedia.application.ports import ObjectStorage
from genmedia.domain.errors import InvalidValue, NotFound

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
COPY_CHUNK = 1024 * 1024


def _create(path: Path) -> int:
    """Open a new file for writing, making its folders first if they are missing."""
    try:
        return os.open(path, _NEW_FILE, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, _NEW_FILE, 0o600)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _copy(source: IO[bytes], fd: int) -> None:
    while chunk := source.read(COPY_CHUNK):
        _write_all(fd, chunk)


class LocalDirectoryStorage(ObjectStorage):
    """Stores each object as a file under `root`; writes are atomic renames.

    With a `signer`, `url` gives signed links that the HTTP app serves from this directory
    (see signed_urls.py); without one, plain file:// URLs.
    """

    def __init__(self, root: Path, signer: UrlSigner | None = None) -> None:
        self.root = Path(root).resolve()
        self.signer = signer
        self._serial = itertools.count()

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or ".." in parts or "\\" in key:
            raise InvalidValue("key", f"invalid storage key {key!r}")
        return self.root.joinpath(*parts)

    def path_of(self, key: str) -> Path:
        """The file an object is (or would be) stored in; InvalidValue for a bad key."""
        return self._path(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the object through a temporary file, so readers never see half of it."""
        self._write(key, lambda fd: _write_all(fd, data))

    def put_file(self, key: str, source: IO[bytes], content_type: str) -> None:
        """Copy the file from its start, a chunk at a time, through a temporary file."""
        source.seek(0)
        self._write(key, lambda fd: _copy(source, fd))

    def _write(self, key: str, write: Callable[[int], None]) -> None:
        path = self._path(key)
        # Plain os calls, a syscall each: every one releases the GIL, which under load costs
        # far more than the call itself (tempfile and file objects add fstat, ioctl, lseek;
        # making the folder first would add a mkdir to every write, not only the first).
        tmp = path.parent / f".tmp-{os.getpid()}-{threading.get_ident()}-{next(self._serial)}"
        fd = _create(tmp)
        try:
            try:
                write(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """The object's bytes, or NotFound."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("object", key) from None

    def delete(self, key: str) -> None:
        """Remove the object if it is there."""
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether the object is stored."""
        return self._path(key).is_file()

    def url(self, key: str, expires_in: int) -> str:
        """A signed link valid for `expires_in` seconds, or without a signer a file:// URL
        (local files do not expire, so `expires_in` is not enforced there)."""
        path = self._path(key)
        if self.signer is None:
            return path.as_uri()
        return self.signer.url(key, expires_in)
