"""The Media routes (API.md, Media; GEN-8, GEN-9) over the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.adapters.storage.signed_urls import UrlSigner
from genmedia.entrypoints.container import Container
from tests.http.conftest import Register, Registered, register_user
from tests.images import bomb_png, encode, picture, png_declaring

PROBLEM = "application/problem+json"
BOUNDARY_TYPE = "multipart/form-data; boundary=fixed-boundary"
MEDIA_FIELDS = {
    "id", "kind", "media_type", "url", "blurhash", "tiny_preview_base64", "width", "height",
    "file_size", "file_format", "original_filename", "original_media_id", "request_id", "job_id",
    "is_favorite", "download_count", "metadata", "created_at",
}  # fmt: skip


def upload(
    client: TestClient[Any], user: Registered, data: bytes, filename: str = "photo.png"
) -> Any:
    return client.post(
        "/v1/media", files={"file": (filename, data, "image/png")}, headers=user.headers
    )


@pytest.fixture
def sqlite_user(sqlite_client: TestClient[Any]) -> Registered:
    return register_user(sqlite_client)


def uploaded(client: TestClient[Any], user: Registered, size: tuple[int, int] = (90, 60)) -> int:
    answer = upload(client, user, encode(picture(size), "PNG"))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def listed(client: TestClient[Any], user: Registered, **query: Any) -> list[int]:
    answer = client.get("/v1/media", params=query, headers=user.headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def wallet(client: TestClient[Any], user: Registered) -> dict[str, int]:
    return dict(client.get("/v1/me", headers=user.headers).json()["wallet"])


def uploads_on_disk(container: Container) -> list[str]:
    root = container.config.storage_dir() / "uploads"
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == code


@pytest.mark.parametrize("pillow_format", ["PNG", "JPEG", "GIF", "WEBP"])
def test_an_uploaded_image_is_a_media_with_every_field_of_the_contract(
    client: TestClient[Any], user: Registered, pillow_format: str
) -> None:
    data = encode(picture((90, 60)), pillow_format)

    answer = upload(client, user, data, "../holiday.png")

    assert answer.status_code == 201, answer.text
    media = answer.json()
    assert set(media) == MEDIA_FIELDS
    assert media["kind"] == "uploaded"
    assert media["media_type"] == "image"
    assert (media["width"], media["height"], media["file_size"]) == (90, 60, len(data))
    assert media["file_format"] == pillow_format.lower()
    assert media["tiny_preview_base64"]
    assert media["original_filename"] == "holiday.png"
    assert media["blurhash"]
    assert (media["is_favorite"], media["download_count"], media["metadata"]) == (False, 0, {})
    assert client.get(media["url"]).content == data


def test_an_upload_read_from_a_chunked_body_is_stored_whole(
    client: TestClient[Any], user: Registered
) -> None:
    data = encode(picture((300, 200)).effect_spread(4), "PNG")
    boundary = "genmedia-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks() -> Iterator[bytes]:
        for at in range(0, len(body), 1000):
            yield body[at : at + 1000]

    answer = client.post(
        "/v1/media",
        content=chunks(),
        headers={**user.headers, "content-type": f"multipart/form-data; boundary={boundary}"},
    )

    assert answer.status_code == 201, answer.text
    assert client.get(answer.json()["url"]).content == data


def test_a_text_file_named_png_is_415_and_nothing_is_stored(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    before = wallet(client, user)

    answer = upload(client, user, b"this is plain text, whatever its name says\n" * 50)

    assert_refused(answer, 415, "unsupported_media_type")
    assert listed(client, user) == []
    assert uploads_on_disk(container) == []
    assert wallet(client, user) == before


@pytest.mark.parametrize(
    "bomb",
    [lambda: png_declaring(100_000, 100_000), lambda: bomb_png(20_000)],
    ids=["header", "whole"],
)
def test_a_decompression_bomb_is_refused_and_nothing_is_stored(
    client: TestClient[Any], container: Container, user: Registered, bomb: Any
) -> None:
    before = wallet(client, user)

    answer = upload(client, user, bomb())

    assert_refused(answer, 422, "validation_error")
    assert [e["field"] for e in answer.json()["errors"]] == ["file"]
    assert listed(client, user) == []
    assert uploads_on_disk(container) == []
    assert wallet(client, user) == before


def test_a_body_that_is_not_form_data_is_415(
    sqlite_client: TestClient[Any], sqlite_user: Registered
) -> None:
    answer = sqlite_client.post("/v1/media", json={"file": "x"}, headers=sqlite_user.headers)

    assert_refused(answer, 415, "unsupported_media_type")


def test_form_data_without_a_file_part_is_422_naming_it(
    sqlite_client: TestClient[Any], sqlite_user: Registered
) -> None:
    answer = sqlite_client.post(
        "/v1/media", files={"picture": ("a.png", b"x", "image/png")}, headers=sqlite_user.headers
    )

    assert_refused(answer, 422, "validation_error")
    assert answer.json()["errors"] == [
        {"field": "file", "message": "is required: send the image in a part named file"}
    ]


def test_a_broken_multipart_body_is_400(
    sqlite_client: TestClient[Any], sqlite_user: Registered
) -> None:
    answer = sqlite_client.post(
        "/v1/media",
        content=b"--b\r\nContent-Disposition: form-data; name=file\r\n\r\nno end",
        headers={**sqlite_user.headers, "content-type": "multipart/form-data; boundary=b"},
    )

    assert_refused(answer, 400, "malformed")


def test_an_upload_without_a_token_is_401(sqlite_client: TestClient[Any]) -> None:
    answer = sqlite_client.post("/v1/media", files={"file": ("a.png", b"x", "image/png")})

    assert_refused(answer, 401, "unauthorized")


class TestSmallLimit:
    """Uploads against a 64 KiB limit, so that 'too large' is cheap to send."""

    LIMIT = 64 * 1024

    @pytest.fixture
    def http_settings(self) -> dict[str, Any]:
        return {"upload_max_bytes": self.LIMIT}

    def test_a_chunked_upload_over_the_limit_is_413(
        self, client: TestClient[Any], container: Container, user: Registered
    ) -> None:
        before = wallet(client, user)
        head = encode(picture((8, 8)), "PNG")
        boundary = "b0undary"

        def body() -> Iterator[bytes]:
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="big.png"\r\n\r\n'
            ).encode() + head
            for _ in range(64):  # chunked: no Content-Length announces the size
                yield bytes(16 * 1024)

        answer = client.post(
            "/v1/media",
            content=body(),
            headers={**user.headers, "content-type": f"multipart/form-data; boundary={boundary}"},
        )

        assert_refused(answer, 413, "payload_too_large")
        assert listed(client, user) == []
        assert uploads_on_disk(container) == []
        assert wallet(client, user) == before

    def test_an_upload_announced_over_the_limit_is_413(
        self, client: TestClient[Any], user: Registered
    ) -> None:
        answer = upload(client, user, encode(picture((8, 8)), "PNG") + bytes(2 * self.LIMIT))

        assert_refused(answer, 413, "payload_too_large")
        assert listed(client, user) == []

    def test_an_upload_just_under_the_limit_is_stored(
        self, client: TestClient[Any], user: Registered
    ) -> None:
        data = encode(picture((8, 8)), "PNG")
        padded = data + bytes(self.LIMIT - len(data))  # trailing bytes after IEND

        answer = upload(client, user, padded)

        assert answer.status_code == 201, answer.text
        assert answer.json()["file_size"] == self.LIMIT


def test_media_are_listed_newest_first_page_by_page(
    client: TestClient[Any], user: Registered
) -> None:
    ids = [uploaded(client, user) for _ in range(5)]
    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/v1/media", params=params, headers=user.headers).json()
        pages.append([item["id"] for item in answer["items"]])
        cursor = answer["next_cursor"]
        if cursor is None:
            break

    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]


def test_the_list_filters_by_kind_and_favorite(client: TestClient[Any], user: Registered) -> None:
    first, second = uploaded(client, user), uploaded(client, user)
    assert client.put(f"/v1/media/{first}/favorite", headers=user.headers).status_code == 204

    assert listed(client, user, favorite="true") == [first]
    assert listed(client, user, favorite="false") == [second]
    assert listed(client, user, kind="uploaded") == [second, first]
    assert listed(client, user, kind="generated") == []
    assert client.delete(f"/v1/media/{first}/favorite", headers=user.headers).status_code == 204
    assert listed(client, user, favorite="true") == []


@pytest.mark.parametrize(
    "query",
    [{"kind": "sculpture"}, {"favorite": "perhaps"}, {"limit": 0}, {"limit": 101}, {"limit": -5},
     {"cursor": "forged.cursor"}],
)  # fmt: skip
def test_bad_list_parameters_are_422(
    sqlite_client: TestClient[Any], sqlite_user: Registered, query: dict[str, Any]
) -> None:
    answer = sqlite_client.get("/v1/media", params=query, headers=sqlite_user.headers)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM


def test_content_counts_one_download_and_redirects_to_the_image(
    client: TestClient[Any], user: Registered
) -> None:
    data = encode(picture((40, 30)), "PNG")
    media_id = upload(client, user, data).json()["id"]

    for _ in range(2):
        answer = client.get(
            f"/v1/media/{media_id}/content", headers=user.headers, follow_redirects=False
        )
        assert answer.status_code == 302
    followed = client.get(f"/v1/media/{media_id}/content", headers=user.headers)

    assert followed.content == data
    assert followed.headers["content-type"] == "image/png"
    assert client.get(f"/v1/media/{media_id}", headers=user.headers).json()["download_count"] == 3


def test_another_users_media_is_404_everywhere_and_unchanged(
    client: TestClient[Any], register: Register
) -> None:
    owner, other = register(), register()
    media_id = uploaded(client, owner)
    calls = [
        ("GET", f"/v1/media/{media_id}"),
        ("GET", f"/v1/media/{media_id}/content"),
        ("PUT", f"/v1/media/{media_id}/favorite"),
        ("DELETE", f"/v1/media/{media_id}/favorite"),
        ("DELETE", f"/v1/media/{media_id}"),
    ]

    for method, path in calls:
        assert_refused(client.request(method, path, headers=other.headers), 404, "not_found")

    assert listed(client, other) == []
    mine = client.get(f"/v1/media/{media_id}", headers=owner.headers).json()
    assert (mine["download_count"], mine["is_favorite"]) == (0, False)


def test_a_deleted_media_is_gone_from_the_api_and_its_image_waits_for_retention(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    media_id = uploaded(client, user)

    assert client.delete(f"/v1/media/{media_id}", headers=user.headers).status_code == 204

    assert listed(client, user) == []
    for path in (f"/v1/media/{media_id}", f"/v1/media/{media_id}/content"):
        assert_refused(client.get(path, headers=user.headers), 404, "not_found")
    assert client.delete(f"/v1/media/{media_id}", headers=user.headers).status_code == 404
    assert len(uploads_on_disk(container)) == 1


def _link_parts(url: str) -> tuple[str, str, str]:
    path, _, query = url.partition("?")
    values = dict(pair.split("=", 1) for pair in query.split("&"))
    return path.removeprefix("/v1/files/"), values["expires"], values["signature"]


def test_an_expired_signed_link_is_410(
    sqlite_client: TestClient[Any], sqlite_container: Container, sqlite_user: Registered
) -> None:
    media = upload(sqlite_client, sqlite_user, encode(picture(), "PNG")).json()
    key = _link_parts(media["url"])[0]
    an_hour_ago = UrlSigner(sqlite_container.secret_key(), now=lambda: time.time() - 3600)

    answer = sqlite_client.get(an_hour_ago.url(key, 60))

    assert_refused(answer, 410, "link_expired")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key, expires, signature: (key, str(int(expires) + 60), signature),
        lambda key, expires, signature: (key.replace(".png", ".gif"), expires, signature),
        lambda key, expires, signature: (key, expires, "A" * len(signature)),
    ],
)
def test_a_forged_signed_link_is_403(
    sqlite_client: TestClient[Any], sqlite_user: Registered, tamper: Any
) -> None:
    media = upload(sqlite_client, sqlite_user, encode(picture(), "PNG")).json()
    key, expires, signature = tamper(*_link_parts(media["url"]))

    answer = sqlite_client.get(f"/v1/files/{key}?expires={expires}&signature={signature}")

    assert_refused(answer, 403, "forbidden")


def test_a_link_signed_with_another_key_is_403(
    sqlite_client: TestClient[Any], sqlite_user: Registered
) -> None:
    media = upload(sqlite_client, sqlite_user, encode(picture(), "PNG")).json()
    key = _link_parts(media["url"])[0]

    answer = sqlite_client.get(UrlSigner(b"another secret key!!").url(key, 60))

    assert_refused(answer, 403, "forbidden")


def test_an_upload_retried_with_its_idempotency_key_is_stored_once(
    client: TestClient[Any], user: Registered
) -> None:
    data = encode(picture(), "PNG")
    headers = {**user.headers, "Idempotency-Key": "upload-1"}

    def send(content: bytes) -> Any:
        files = {"file": ("a.png", content, "image/png")}
        # One boundary for both, so that one file gives one body.
        return client.post(
            "/v1/media", files=files, headers={**headers, "content-type": BOUNDARY_TYPE}
        )

    first, again = send(data), send(data)
    other = send(encode(picture((30, 30)), "PNG"))

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert_refused(other, 409, "conflict")
    assert listed(client, user) == [first.json()["id"]]
