"""Local-directory object storage on a real file system."""

from __future__ import annotations

import io
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from genmedia.adapters.storage.local import COPY_CHUNK, LocalDirectoryStorage
from genmedia.adapters.storage.signed_urls import UrlSigner
from genmedia.domain.errors import InvalidValue, NotFound

pytestmark = pytest.mark.integration


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_an_object_is_written_under_its_key_and_read_back(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    storage.put("generated/u1/r2/j3/0.png", b"\x89PNG data", "image/png")
    assert storage.get("generated/u1/r2/j3/0.png") == b"\x89PNG data"
    assert storage.exists("generated/u1/r2/j3/0.png")
    assert files_under(tmp_path) == ["generated/u1/r2/j3/0.png"]


def test_objects_of_one_folder_are_written_beside_each_other(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    for index in range(3):
        storage.put(f"generated/u1/r2/j3-{index}.png", bytes([index]), "image/png")
    assert files_under(tmp_path) == [f"generated/u1/r2/j3-{i}.png" for i in range(3)]
    assert [storage.get(f"generated/u1/r2/j3-{i}.png") for i in range(3)] == [
        b"\x00",
        b"\x01",
        b"\x02",
    ]


def test_writing_a_key_again_replaces_the_object_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    storage.put("a/b.png", b"first", "image/png")
    storage.put("a/b.png", b"second, longer", "image/png")
    assert storage.get("a/b.png") == b"second, longer"
    assert files_under(tmp_path) == ["a/b.png"]


def test_a_large_object_is_written_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40_000  # 10 MB: more than one write call may take
    LocalDirectoryStorage(tmp_path).put("big/blob.bin", data, "application/octet-stream")
    assert (tmp_path / "big" / "blob.bin").read_bytes() == data


def test_a_write_that_fails_leaves_neither_the_object_nor_a_temporary_file(
    tmp_path: Path,
) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    with pytest.raises(TypeError):
        storage.put("a/b.png", "not bytes", "image/png")  # type: ignore[arg-type]
    assert files_under(tmp_path) == []
    assert not storage.exists("a/b.png")


def test_threads_writing_into_one_directory_each_store_their_own_object(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)

    def write(index: int) -> None:
        for round_ in range(20):
            storage.put(f"shared/{index}-{round_}.png", f"{index}:{round_}".encode(), "image/png")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(files_under(tmp_path)) == 160
    assert storage.get("shared/5-7.png") == b"5:7"


def test_deleting_removes_the_object_and_a_missing_object_is_not_found(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    storage.put("x/y.png", b"data", "image/png")
    storage.delete("x/y.png")
    storage.delete("x/y.png")
    with pytest.raises(NotFound):
        storage.get("x/y.png")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../../b", "a\\b"])
def test_a_key_that_could_leave_the_root_is_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidValue):
        LocalDirectoryStorage(tmp_path).put(key, b"x", "image/png")


class Unreadable(io.BytesIO):
    """A file that fails after its first chunk, as a dropped upload would."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell():
            raise OSError("the upload broke off")
        return super().read(size)


def test_a_file_is_copied_from_its_start_in_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # more than one chunk
    with tempfile.SpooledTemporaryFile(max_size=1024) as source:
        source.write(data)  # left at its end: put_file rewinds it
        LocalDirectoryStorage(tmp_path).put_file("uploads/u1/a.png", source, "image/png")

    assert (tmp_path / "uploads" / "u1" / "a.png").read_bytes() == data


def test_a_file_that_cannot_be_read_leaves_nothing_behind(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)

    with pytest.raises(OSError, match="broke off"):
        storage.put_file("uploads/u1/a.png", Unreadable(b"x" * (COPY_CHUNK * 2)), "image/png")

    assert files_under(tmp_path) == []


def test_without_a_signer_a_url_is_the_files_uri(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)

    assert storage.url("a/b.png", 60) == (tmp_path / "a" / "b.png").resolve().as_uri()


def test_with_a_signer_a_url_is_a_signed_link_that_checks_out(tmp_path: Path) -> None:
    signer = UrlSigner(b"k" * 32, base_url="http://127.0.0.1:8000")
    storage = LocalDirectoryStorage(tmp_path, signer=signer)

    url = urlsplit(storage.url("a/b.png", 60))
    query = parse_qs(url.query)

    assert url.path == "/v1/files/a/b.png"
    signer.check("a/b.png", query["expires"][0], query["signature"][0])
    assert storage.path_of("a/b.png") == tmp_path.resolve() / "a" / "b.png"
    with pytest.raises(InvalidValue):
        storage.url("../b.png", 60)
