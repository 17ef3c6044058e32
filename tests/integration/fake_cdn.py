"""A fake delivery host on a loopback port, and a test network and DNS to reach it by name.

The host serves what result downloads meet: files, redirects that set cookies, a redirect
loop, status answers with Retry-After, 2 GiB bodies produced lazily (announced in
Content-Length, or chunked without a length) and answers that trickle in slower than any
read timeout would notice. It records every request and how many bytes each answer got out.

`FakeDns` answers lookups from a table (so "cdn.example" can stand for a public address)
and `RecordingNetwork` records every connection it is asked for, and opens only those to the
public stand-in address, to 127.0.0.1 on the same port: no packet leaves loopback, and a
test can see that a private address was never even tried.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import httpcore

# A global address the test network maps to the loopback fake; nothing is ever sent to it.
PUBLIC = "93.184.216.34"
TWO_GIB = 2 * 1024**3
_CHUNK = b"\0" * 65536
_TRICKLE = 0.05  # seconds between two trickled bytes


@attrs.frozen(kw_only=True)
class Received:
    """One request the fake host received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeCdn:
    """The fake host's files, the requests it received and the bytes it sent per path."""

    def __init__(self) -> None:
        self.port = 0
        self.files: dict[str, bytes] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._sent: dict[str, int] = {}
        self._finished: set[str] = set()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def sent(self, path: str) -> int:
        """Bytes of body the answer to `path` got out before it ended."""
        with self._lock:
            return self._sent.get(path, 0)

    def finished(self, path: str) -> bool:
        """Whether the answer to `path` has ended (completed, or the client hung up)."""
        with self._lock:
            return path in self._finished

    def record(self, request: Received) -> None:
        with self._lock:
            self._received.append(request)

    def count(self, path: str, size: int) -> None:
        with self._lock:
            self._sent[path] = self._sent.get(path, 0) + size

    def finish(self, path: str) -> None:
        with self._lock:
            self._finished.add(path)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        fake.record(Received(path=parts.path, query=parse_qs(parts.query), headers=headers))
        try:
            self._answer(fake, parts.path, parse_qs(parts.query))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            fake.finish(parts.path)

    def _answer(self, fake: FakeCdn, path: str, query: dict[str, list[str]]) -> None:
        if path.startswith("/files/") and path in fake.files:
            self._reply(200, fake.files[path])
        elif path == "/redirect":
            self._redirect(query["to"][0], cookie=True)
        elif path.startswith("/hops/"):
            self._redirect(f"/hops/{int(path.removeprefix('/hops/')) + 1}")
        elif path.startswith("/status/"):
            self._reply(int(path.removeprefix("/status/")), b"no", query.get("retry_after"))
        elif path == "/huge":
            self._huge(fake, path, chunked=False)
        elif path == "/huge-chunked":
            self._huge(fake, path, chunked=True)
        elif path == "/trickle-body":
            self._trickle_body(fake)
        elif path == "/trickle-headers":
            self._trickle_headers(fake)
        else:
            self._reply(404, b"not found")

    def _reply(self, status: int, data: bytes, retry_after: list[str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for value in retry_after or ():
            self.send_header("Retry-After", value)
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str, *, cookie: bool = False) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        if cookie:
            self.send_header("Set-Cookie", "session=do-not-send; Path=/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _huge(self, fake: FakeCdn, path: str, *, chunked: bool) -> None:
        """2 GiB of zeros, written a chunk at a time for as long as the client reads."""
        self.send_response(200)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(TWO_GIB))
        self.end_headers()
        frame = b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK) if chunked else _CHUNK
        for _ in range(TWO_GIB // len(_CHUNK)):
            if fake.stopping.is_set():
                break
            self.wfile.write(frame)
            fake.count(path, len(_CHUNK))
        self.close_connection = True

    def _trickle_body(self, fake: FakeCdn) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self._trickle(fake, b"x" * 1000)

    def _trickle_headers(self, fake: FakeCdn) -> None:
        self._trickle(fake, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 1000)

    def _trickle(self, fake: FakeCdn, data: bytes) -> None:
        """Send one byte at a time, each well within any read timeout."""
        self.wfile.flush()
        for byte in data:
            if fake.stopping.wait(_TRICKLE):
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeCdn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (the size and deadline tests) are not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@contextmanager
def fake_cdn_server() -> Iterator[FakeCdn]:
    """Run a fake delivery host on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeCdn()
    server = _Server(fake)
    fake.port = int(server.server_address[1])
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-cdn", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class FakeDns:
    """Answers lookups from its table, in turn where a name has several answers (a
    rebinding server); other names only if they are an address in some spelling."""

    def __init__(self, table: Mapping[str, Sequence[Sequence[str]]]) -> None:
        self._table = {name: list(answers) for name, answers in table.items()}
        self.lookups: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, host: str, port: int) -> list[str]:
        with self._lock:
            self.lookups.append(host)
            answers = self._table.get(host)
            if answers:
                return list(answers.pop(0) if len(answers) > 1 else answers[0])
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        return [str(info[4][0]) for info in infos]


class RecordingNetwork(httpcore.NetworkBackend):
    """Records every connection asked of it; opens only those to PUBLIC, to 127.0.0.1."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []
        self._real = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        self.attempts.append((host, port))
        if host != PUBLIC:
            raise httpcore.ConnectError(f"the test network does not reach {host}")
        return self._real.connect_tcp("127.0.0.1", port, timeout, local_address, socket_options)

    def sleep(self, seconds: float) -> None:
        self._real.sleep(seconds)
