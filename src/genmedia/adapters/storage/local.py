"""Object storage in a local directory, for the embedded default."""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path, PurePosixPath

from genmedia.application.ports import ObjectStorage
from genmedia.domain.errors import InvalidValue, NotFound

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC


def _create(path: Path) -> int:
    """Open a new file for writing, making its folders first if they are missing."""
    try:
        return os.open(path, _NEW_FILE, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, _NEW_FILE, 0o600)


class LocalDirectoryStorage(ObjectStorage):
    """Stores each object as a file under `root`; writes are atomic renames."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._serial = itertools.count()

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or ".." in parts or "\\" in key:
            raise InvalidValue("key", f"invalid storage key {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the object through a temporary file, so readers never see half of it."""
        path = self._path(key)
        # Plain os calls, a syscall each: every one releases the GIL, which under load costs
        # far more than the call itself (tempfile and file objects add fstat, ioctl, lseek;
        # making the folder first would add a mkdir to every write, not only the first).
        tmp = path.parent / f".tmp-{os.getpid()}-{threading.get_ident()}-{next(self._serial)}"
        fd = _create(tmp)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
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
        """A file:// URL; local files do not expire, so `expires_in` is not enforced here."""
        return self._path(key).as_uri()
