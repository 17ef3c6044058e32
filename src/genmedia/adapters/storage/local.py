"""Object storage in a local directory, for the embedded default."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from genmedia.application.ports import ObjectStorage
from genmedia.domain.errors import InvalidValue, NotFound


class LocalDirectoryStorage(ObjectStorage):
    """Stores each object as a file under `root`; writes are atomic renames."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or ".." in parts or "\\" in key:
            raise InvalidValue("key", f"invalid storage key {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the object through a temporary file, so readers never see half of it."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
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
