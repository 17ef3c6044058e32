"""The whole user flow over real HTTP: `genmedia serve` in a subprocess, httpx as the client.

On PostgreSQL, Redis and moto's S3 with a `genmedia worker` subprocess, and on the embedded
default with `genmedia serve` alone: register, log in, list templates, estimate, submit a
template request with options, poll to `completed`, download every image through
`content`, and check the ledger.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from PIL import Image

from tests.e2e.stack import Stack, stop
from tests.http.served import genmedia, served

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
TEMPLATE = "neon-city"
POLL_LIMIT = 120.0


def _completed(http: httpx.Client, request_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_LIMIT
    while time.monotonic() < deadline:
        request: dict[str, Any] = http.get(f"/v1/requests/{request_id}").json()
        if request["status"] in ("completed", "failed", "cancelled"):
            return request
        time.sleep(0.2)
    raise AssertionError(f"request {request_id} did not finish: {request}")


def _log_in(http: httpx.Client) -> None:
    body = {"email": "flow@example.com", "password": PASSWORD, "name": "Flow"}
    registered = http.post("/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    session = http.post("/v1/auth/login", json={"email": body["email"], "password": PASSWORD})
    assert session.status_code == 200, session.text
    http.headers["Authorization"] = f"Bearer {session.json()['token']}"


def _request_body(http: httpx.Client) -> dict[str, Any]:
    listed = http.get("/v1/templates", params={"limit": 20}).json()["items"]
    [summary] = [template for template in listed if template["slug"] == TEMPLATE]
    template = http.get(f"/v1/templates/{summary['id']}").json()
    options = {
        group["group_name"]: group["options"][-1]["value"] for group in template["option_groups"]
    }
    return {
        "template_id": template["id"],
        "selected_options": options,
        "input_metadata": {"batch_size": 2, "seed": 7},
        "params": {"width": 64, "height": 64},
    }


def _downloaded(http: httpx.Client, media: dict[str, Any]) -> None:
    link = http.get(f"/v1/media/{media['id']}/content")
    assert link.status_code == 302, link.text
    content = httpx.get(urljoin(str(http.base_url), link.headers["location"]), timeout=30)
    assert content.status_code == 200
    image = Image.open(io.BytesIO(content.content))
    assert (image.width, image.height) == (media["width"], media["height"])
    assert media["blurhash"]


def _ledger_matches(http: httpx.Client, request: dict[str, Any]) -> None:
    wallet = http.get("/v1/wallet").json()
    charged = request["credits_charged"]
    assert charged == request["estimated_cost"] > 0
    assert (wallet["balance"], wallet["held"], wallet["total_spent"]) == (100 - charged, 0, charged)
    entries = http.get("/v1/wallet/transactions", params={"limit": 100}).json()["items"]
    debits = [e for e in entries if e["related"].get("request_id") == request["id"]]
    assert sum(e["amount"] for e in debits if e["type"] == "debit") == charged
    assert [e["amount"] for e in entries if e["type"] == "credit"] == [100]  # the welcome grant


def flow(base: str) -> dict[str, Any]:
    """The user flow against the API at `base`; the finished request as the API shows it."""
    with httpx.Client(base_url=base, timeout=30) as http:
        _log_in(http)
        body = _request_body(http)
        estimate = http.post("/v1/requests/estimate", json=body).json()
        assert estimate["job_count"] == 2
        submitted = http.post("/v1/requests", json=body, headers={"Idempotency-Key": "flow-1"})
        assert submitted.status_code == 202, submitted.text
        assert submitted.json()["estimated_cost"] == estimate["estimated_cost"]
        request = _completed(http, submitted.json()["id"])
        assert request["status"] == "completed", request
        assert len(request["media"]) == 2
        for media in request["media"]:
            _downloaded(http, media)
        _ledger_matches(http, request)
    return request


def test_the_flow_over_http_on_postgresql_redis_and_s3_with_a_worker_process(
    stack: Stack,
) -> None:
    genmedia("seed", env=stack.env)
    worker = stack.worker()
    try:
        with served(stack.env, stack.home / "serve.log") as server:
            request = flow(server.base)
    finally:
        stop(worker)
    assert (request["status"], len(request["media"])) == ("completed", 2)


def test_the_flow_over_http_on_the_embedded_default_with_serve_alone(tmp_path: Path) -> None:
    env = {"GENMEDIA_HOME": str(tmp_path)}
    genmedia("db", "upgrade", env=env)
    genmedia("seed", env=env)
    with served(env, tmp_path / "serve.log") as server:
        request = flow(server.base)
    assert (request["status"], len(request["media"])) == ("completed", 2)
