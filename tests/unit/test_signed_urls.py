"""Signed local links: valid as signed until they expire, refused when changed or late."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from genmedia.adapters.storage.signed_urls import FILES_PATH, MAX_EXPIRY, UrlSigner
from genmedia.application.errors import LinkExpired, LinkForged
from genmedia.domain.errors import InvalidValue

SECRET = b"s" * 32
KEY = "uploads/u1/abc.png"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def parts(url: str) -> tuple[str, str, str]:
    """The key, expiry and signature a link carries."""
    split = urlsplit(url)
    query = parse_qs(split.query)
    return unquote(split.path[len(FILES_PATH) + 1 :]), query["expires"][0], query["signature"][0]


@pytest.fixture
def clock() -> Clock:
    return Clock(1_000_000.0)


@pytest.fixture
def signer(clock: Clock) -> UrlSigner:
    return UrlSigner(SECRET, now=clock)


def test_a_link_names_the_key_and_its_expiry(signer: UrlSigner) -> None:
    url = signer.url(KEY, 60)

    assert url.startswith(f"{FILES_PATH}/{KEY}?")
    assert parts(url)[:2] == (KEY, "1000060")


def test_a_link_is_accepted_until_it_expires_and_refused_after(
    signer: UrlSigner, clock: Clock
) -> None:
    key, expires, signature = parts(signer.url(KEY, 60))
    clock.now += 59.9
    signer.check(key, expires, signature)

    clock.now += 0.1
    with pytest.raises(LinkExpired):
        signer.check(key, expires, signature)


@pytest.mark.parametrize(
    "change",
    [
        lambda k, e, s: ("uploads/u2/abc.png", e, s),
        lambda k, e, s: (k, str(int(e) + 3600), s),
        lambda k, e, s: (k, e, s[:-1] + ("A" if s[-1] != "A" else "B")),
        lambda k, e, s: (k, e, ""),
        lambda k, e, s: (k, "soon", s),
        lambda k, e, s: (k, "-5", s),
        lambda k, e, s: (k, "9" * 5000, s),
        lambda k, e, s: (k, "１２３", s),
        lambda k, e, s: (k, e, "ünïcode"),
    ],
)
def test_a_changed_link_is_refused_as_forged(signer: UrlSigner, change: object) -> None:
    key, expires, signature = change(*parts(signer.url(KEY, 60)))  # type: ignore[operator]

    with pytest.raises(LinkForged):
        signer.check(key, expires, signature)


def test_a_link_signed_with_another_secret_is_forged(signer: UrlSigner, clock: Clock) -> None:
    other = UrlSigner(b"t" * 32, now=clock)

    with pytest.raises(LinkForged):
        signer.check(*parts(other.url(KEY, 60)))


def test_a_forged_link_is_refused_even_when_expired(signer: UrlSigner, clock: Clock) -> None:
    key, expires, _ = parts(signer.url(KEY, 60))
    clock.now += 3600

    with pytest.raises(LinkForged):
        signer.check(key, expires, "x" * 43)


def test_a_base_url_makes_links_absolute_and_keys_are_quoted(clock: Clock) -> None:
    signer = UrlSigner(SECRET, base_url="https://media.example.com/", now=clock)

    url = signer.url("uploads/u1/a b#c.png", 60)

    assert url.startswith("https://media.example.com/v1/files/uploads/u1/a%20b%23c.png?")
    signer.check(*parts(url.removeprefix("https://media.example.com")))


@pytest.mark.parametrize("expires_in", [0, -1, MAX_EXPIRY + 1, True])
def test_an_expiry_outside_one_second_to_a_week_is_refused(
    signer: UrlSigner, expires_in: int
) -> None:
    with pytest.raises(InvalidValue):
        signer.url(KEY, expires_in)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        UrlSigner(b"short")

    assert refused.value.field == "secret_key"


def test_the_secret_is_not_shown_by_repr(signer: UrlSigner) -> None:
    assert "s" * 16 not in repr(signer)
