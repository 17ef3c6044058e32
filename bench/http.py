"""The HTTP API on PostgreSQL, served by `genmedia serve` (granian), loaded by wrk.

Every figure comes from this run, on this machine, against 127.0.0.1 only. The server
processes run on a scratch PostgreSQL database and a Redis namespace of their own, so they
only accept work: no job runs. wrk (Debian's package) makes the load: CLIENTS connections
on 2 threads, sharing the 2 cores with the server and PostgreSQL.

http.templates_per_s
    GET /v1/templates?limit=20 with a session token, CLIENTS connections, for SECONDS.
http.templates_ratio
    ÷ a bare handler (bench.http_bare) in the same framework and server, without middleware,
    auth or presenter, that runs the SQL statements the templates list ran (recorded from
    the use case here) on a pool of the same settings, and answers the rows as JSON.
http.submit_per_s, http.submit_p95_ms
    POST /v1/requests with a new Idempotency-Key each, CLIENTS connections spread over
    CLIENTS users, for SECONDS: a 64×64 image of the sample template "neon-city".
http.submit_ratio
    ÷ the submit use case called in this process by CLIENTS threads (the same request, the
    same users, the same database), for SECONDS.
http.upload_rss_mib
    The server process's peak RSS growth (VmHWM, reset first through clear_refs) during
    the upload of a 50 MiB image through POST /v1/media.

The three rates are medians of ROUNDS rounds, each measuring the API figure then its
baseline, so a slow spell of this shared machine weighs on both.
"""

from __future__ import annotations

import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from tests.http.served import free_port, served

from bench.http_media import big_image, peak_rss_growth_mib
from bench.stack import CREDITS, SMALL, bench_settings, settings_env
from bench.wallet import measure
from genmedia.application.generation.commands import SubmitRequest
from genmedia.entrypoints.container import build_container

CLIENTS = 32
SECONDS = 8.0
ROUNDS = 3
TEMPLATE = "neon-city"
UPLOAD_BYTES = 50 * 1024 * 1024 - 64 * 1024  # the file, under the 50 MiB limit with its form

WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("requests=%d\\n", summary.requests))
  io.write(string.format("bad=%d\\n", summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("p95_us=%d\\n", latency:percentile(95)))
end
"""

SUBMIT = """
local tokens = {%(tokens)s}
local body = '%(body)s'
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
request = function()
  counter = counter + 1
  local key = string.format("%(run)s-%%d-%%d", id, counter)
  local token = tokens[((counter + id * 7) %% #tokens) + 1]
  return wrk.format("POST", "/v1/requests", {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
    ["Content-Type"] = "application/json",
  }, body)
end
"""


def _wrk(url: str, script: str, headers: dict[str, str] | None = None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + WRK_DONE)
    command = ["wrk", "-t2", f"-c{CLIENTS}", f"-d{SECONDS:g}s", "-s", lua.name]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    Path(lua.name).unlink()
    figures = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if float(figures["bad"]):
        raise RuntimeError(f"wrk saw {figures['bad']} failed answers:\n{done.stdout}")
    return {
        "per_s": float(figures["requests"]) / SECONDS,
        "p95_ms": float(figures["p95_us"]) / 1000,
    }


def _in_process(container: Any, commands: list[SubmitRequest]) -> float:
    """Submits per second by CLIENTS threads in this process, each for its own user."""
    users = itertools.count()

    def worker() -> Any:
        command = commands[next(users) % len(commands)]
        return lambda: container.submit_request(command)

    return measure(CLIENTS, SECONDS, worker)


def _recorded_template_sql(container: Any) -> list[tuple[str, Any]]:
    """The statements the templates list runs for its first page of 20."""
    import sqlalchemy as sa

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        statements.append((statement, parameters))

    engine = container.engine()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        container.list_templates(limit=20)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]


@contextmanager
def _bare(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.http_bare", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/bare/templates", timeout=1.0).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _register(base: str, users: int) -> list[str]:
    tokens = []
    for i in range(users):
        body = {"email": f"http-{i}@bench.example", "password": "bench password"}
        answer = httpx.post(f"{base}/v1/auth/register", json=body, timeout=30)
        answer.raise_for_status()
        tokens.append(answer.json()["token"])
    return tokens


def _me(base: str, token: str) -> int:
    answer = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    user_id: int = answer.json()["id"]
    return user_id


def _submit_body(base: str) -> dict[str, Any]:
    template = httpx.get(f"{base}/v1/templates/{TEMPLATE}", timeout=30).json()
    return {"template_id": template["id"], "input_metadata": {"batch_size": 1}, "params": SMALL}


def run() -> dict[str, float]:
    """Every http.* figure, measured in this run."""
    if shutil.which("wrk") is None:
        raise RuntimeError("make bench needs wrk: apt-get install wrk")
    rounds: dict[str, list[float]] = {k: [] for k in ("tpl", "bare", "sub", "p95", "inproc")}
    with bench_settings("http", welcome_credits=CREDITS) as settings:
        env = {**settings_env(settings), "GENMEDIA_RATE_LIMIT_PER_TOKEN": str(10**9)}
        env["GENMEDIA_RATE_LIMIT_PER_ADDRESS"] = str(10**9)
        container = build_container(settings)
        container.seed_catalog()
        logs = Path(settings.home)
        bare_env = {**env, "GENMEDIA_BENCH_BARE_SQL": json.dumps(_recorded_template_sql(container))}
        with served(env, logs / "serve.log") as server, _bare(bare_env, logs / "bare.log") as bare:
            base = server.base
            tokens = _register(base, CLIENTS)
            body = _submit_body(base)
            users = [_me(base, token) for token in tokens]
            auth = {"Authorization": f"Bearer {tokens[0]}"}
            submit = SUBMIT % {
                "tokens": ", ".join(f'"{t}"' for t in tokens),
                "body": json.dumps(body),
                "run": f"bench-{time.time_ns()}",
            }
            commands = [
                SubmitRequest(
                    user_id=user,
                    template=body["template_id"],
                    input_metadata={"batch_size": 1},
                    params=SMALL,
                )
                for user in users
            ]
            for _ in range(ROUNDS):
                rounds["tpl"].append(_wrk(f"{base}/v1/templates?limit=20", "", auth)["per_s"])
                rounds["bare"].append(_wrk(f"{bare}/bare/templates", "")["per_s"])
                figures = _wrk(f"{base}/v1/requests", submit)
                rounds["sub"].append(figures["per_s"])
                rounds["p95"].append(figures["p95_ms"])
                rounds["inproc"].append(_in_process(container, commands))
            print({key: [round(v, 1) for v in values] for key, values in rounds.items()})
            upload = peak_rss_growth_mib(server, auth, big_image(logs, UPLOAD_BYTES))
        container.shutdown_resources()
    median = {key: statistics.median(values) for key, values in rounds.items()}
    return {
        "http.templates_per_s": round(median["tpl"], 1),
        "http.templates_bare_per_s": round(median["bare"], 1),
        "http.templates_ratio": round(median["tpl"] / median["bare"], 3),
        "http.submit_per_s": round(median["sub"], 1),
        "http.submit_p95_ms": round(median["p95"], 1),
        "http.submit_in_process_per_s": round(median["inproc"], 1),
        "http.submit_ratio": round(median["sub"] / median["inproc"], 3),
        "http.upload_rss_mib": round(upload, 1),
    }
