"""Admin of users, their credits and jobs on both databases: finding users, grants and
deductions once per reference, and retrying a failed job through the dispatcher and a worker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient, TestClient

from genmedia.adapters.sql.tables import wallet_transactions
from genmedia.application.execution.steps import claim_job, fail_job
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import Register, Registered, register_admin

NEON = {"user_prompt": "rain", "input_metadata": {"batch_size": 2}}


def _wallet(client: TestClient[Any], user: Registered) -> dict[str, int]:
    wallet: dict[str, int] = client.get("/v1/wallet", headers=user.headers).json()
    return wallet


def _grant(
    client: TestClient[Any], admin: Registered, user_id: int, amount: int, reference: str
) -> Any:
    body = {"amount": amount, "reason": "support ticket", "reference_id": reference}
    return client.post(f"/v1/admin/users/{user_id}/credits", json=body, headers=admin.headers)


def _entries(container: Container, user_id: int, reference: str) -> int:
    table = wallet_transactions
    query = sa.select(sa.func.count()).where(
        table.c.user_id == user_id, table.c.reference_id == f"admin:{user_id}:{reference}"
    )
    with container.engine().connect() as connection:
        return int(connection.execute(query).scalar_one())


def _audit(client: TestClient[Any], admin: Registered) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/admin/audit", headers=admin.headers).json()[
        "items"
    ]
    return items


def test_an_admin_finds_users_by_email_and_reads_one_with_their_wallet(
    client: TestClient[Any], admin: Registered, register: Register
) -> None:
    alice, bob = register("alice@shop.example"), register("bob@other.example")
    found = client.get("/v1/admin/users", headers=admin.headers, params={"email": "SHOP."})
    assert [u["id"] for u in found.json()["items"]] == [alice.id]
    everyone = client.get("/v1/admin/users", headers=admin.headers, params={"limit": 2}).json()
    assert [u["id"] for u in everyone["items"]] == [bob.id, alice.id]
    assert everyone["next_cursor"] is not None
    assert (
        client.get("/v1/admin/users", headers=admin.headers, params={"email": "%"}).json()["items"]
        == []
    )
    shown = client.get(f"/v1/admin/users/{alice.id}", headers=admin.headers).json()
    assert (shown["email"], shown["is_admin"], shown["wallet"]["available"]) == (
        "alice@shop.example",
        False,
        100,
    )
    assert "password_hash" not in shown
    assert client.get("/v1/admin/users/999", headers=admin.headers).status_code == 404


def test_a_grant_with_one_reference_applies_once_and_answers_the_first_entry_again(
    client: TestClient[Any], container: Container, admin: Registered, user: Registered
) -> None:
    first = _grant(client, admin, user.id, 50, "ticket-7")
    assert first.status_code == 200, first.text
    entry = first.json()
    assert (entry["type"], entry["kind"], entry["amount"], entry["balance_after"]) == (
        "credit",
        "admin_adjustment",
        50,
        150,
    )
    again = _grant(client, admin, user.id, 50, "ticket-7")
    assert (again.status_code, again.json()) == (200, entry)
    assert _entries(container, user.id, "ticket-7") == 1
    assert _wallet(client, user)["balance"] == 150
    other = _grant(client, admin, user.id, 60, "ticket-7")
    assert (other.status_code, other.json()["code"]) == (409, "conflict")
    [grant] = _audit(client, admin)
    assert (grant["action"], grant["entity"], grant["entity_id"]) == (
        "grant",
        "wallet",
        str(user.id),
    )
    assert (grant["before"]["balance"], grant["after"]["balance"]) == (100, 150)


def test_a_deduction_takes_available_credits_and_beyond_them_is_a_402_changing_nothing(
    client: TestClient[Any], container: Container, admin: Registered, user: Registered
) -> None:
    taken = _grant(client, admin, user.id, -30, "abuse-1")
    assert (taken.json()["type"], taken.json()["balance_after"]) == ("debit", 70)
    refused = _grant(client, admin, user.id, -71, "abuse-2")
    assert (refused.status_code, refused.json()["code"]) == (402, "insufficient_credits")
    assert _wallet(client, user)["balance"] == 70
    assert _entries(container, user.id, "abuse-2") == 0
    assert [e["action"] for e in _audit(client, admin)] == ["deduct"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"amount": 0, "reason": "r", "reference_id": "x"}, ["amount"]),
        ({"amount": "5", "reason": 1, "reference_id": None}, ["amount", "reason", "reference_id"]),
        ({"amount": 5}, ["reason", "reference_id"]),
        ({"amount": 10**40, "reason": "r", "reference_id": "x"}, ["amount"]),
        ([], ["body"]),
    ],
)
def test_a_bad_adjustment_is_a_422_naming_each_field(
    client: TestClient[Any], admin: Registered, user: Registered, body: Any, fields: list[str]
) -> None:
    answer = client.post(f"/v1/admin/users/{user.id}/credits", json=body, headers=admin.headers)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == fields
    assert _wallet(client, user)["balance"] == 100


def test_a_grant_to_nobody_is_a_404(client: TestClient[Any], admin: Registered) -> None:
    assert _grant(client, admin, 999, 5, "x").status_code == 404


def test_eight_concurrent_grants_with_one_reference_make_one_entry(
    postgres_container: Container,
) -> None:
    async def race() -> list[Any]:
        async with AsyncTestClient(create_app(postgres_container)) as client:
            user = (await client.post(
                "/v1/auth/register", json={"email": "many@example.com", "password": "x" * 12}
            )).json()["user"]  # fmt: skip
            body = {"amount": 9, "reason": "race", "reference_id": "one"}
            path = f"/v1/admin/users/{user['id']}/credits"
            calls = [client.post(path, json=body, headers=headers) for _ in range(8)]
            return [user["id"], *await asyncio.gather(*calls)]

    with TestClient(create_app(postgres_container)) as client:
        headers = register_admin(client, postgres_container).headers
    user_id, *answers = asyncio.run(race())
    assert {(a.status_code, a.text) for a in answers} == {(200, answers[0].text)}
    assert _entries(postgres_container, user_id, "one") == 1
    assert postgres_container.wallet_of(user_id).balance == 109
    assert len([e for e in postgres_container.list_audit().items if e.action == "grant"]) == 1


@pytest.fixture
def neon(container: Container) -> dict[str, Any]:
    """A request for two images of the sample catalog's neon-city template."""
    container.seed_catalog()
    found = container.list_templates(limit=100).items
    return {**NEON, "template_id": next(t.id for t in found if t.slug == "neon-city")}


def _failed_first(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> tuple[int, int, int]:
    """A request of two jobs whose first failed: the request and both job ids."""
    accepted = client.post("/v1/requests", json=neon, headers=user.headers).json()
    first, second = (job["id"] for job in accepted["jobs"])
    uow, clock = container.uow(), container.clock()
    claimed = claim_job(first, "w1", uow=uow, clock=clock)
    assert claimed is not None
    assert fail_job(claimed, "provider_error", "it broke", uow=uow, clock=clock)
    return accepted["id"], first, second


def test_a_retried_failed_job_runs_through_the_dispatcher_and_a_worker_and_charges_once(
    client: TestClient[Any], container: Container, admin: Registered, user: Registered, neon: Any
) -> None:
    request_id, first, second = _failed_first(client, container, user, neon)
    assert _wallet(client, user)["held"] == 3
    answer = client.post(f"/v1/admin/jobs/{first}/retry", headers=admin.headers)
    assert answer.status_code == 202, answer.text
    retried = answer.json()
    assert (retried["status"], retried["retry_of"], retried["credits_reserved"]) == (
        "pending",
        first,
        3,
    )
    assert (_wallet(client, user)["held"], _wallet(client, user)["available"]) == (6, 94)
    assert container.dispatch_pending() == 2
    runner = container.job_runner()
    for job_id in (second, retried["id"]):
        runner.run(job_id)
    found = client.get(f"/v1/requests/{request_id}", headers=user.headers).json()
    statuses = {job["id"]: job["status"] for job in found["jobs"]}
    assert statuses == {first: "failed", second: "completed", retried["id"]: "completed"}
    assert (found["status"], found["credits_charged"], len(found["media"])) == ("completed", 6, 2)
    wallet = _wallet(client, user)
    assert (wallet["balance"], wallet["held"], wallet["total_spent"]) == (94, 0, 6)
    again = client.post(f"/v1/admin/jobs/{first}/retry", headers=admin.headers)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    [entry] = _audit(client, admin)
    assert (entry["action"], entry["entity_id"], entry["after"]["retried_as"]) == (
        "retry",
        str(first),
        retried["id"],
    )


def test_only_a_failed_job_is_retried_and_only_if_its_owner_can_pay(
    client: TestClient[Any], container: Container, admin: Registered, user: Registered, neon: Any
) -> None:
    request_id, first, second = _failed_first(client, container, user, neon)
    pending = client.post(f"/v1/admin/jobs/{second}/retry", headers=admin.headers)
    assert (pending.status_code, pending.json()["code"]) == (409, "conflict")
    assert _grant(client, admin, user.id, -_wallet(client, user)["available"], "drain").is_success
    broke = client.post(f"/v1/admin/jobs/{first}/retry", headers=admin.headers)
    assert (broke.status_code, broke.json()["code"]) == (402, "insufficient_credits")
    found = client.get(f"/v1/requests/{request_id}", headers=user.headers).json()
    assert [job["id"] for job in found["jobs"]] == [first, second]
    assert client.post("/v1/admin/jobs/999/retry", headers=admin.headers).status_code == 404
    assert [e["action"] for e in _audit(client, admin)] == ["deduct"]


def test_a_cancelled_job_is_not_retried(
    client: TestClient[Any], container: Container, admin: Registered, user: Registered, neon: Any
) -> None:
    accepted = client.post("/v1/requests", json=neon, headers=user.headers).json()
    client.post(f"/v1/requests/{accepted['id']}/cancel", headers=user.headers)
    job_id = accepted["jobs"][0]["id"]
    answer = client.post(f"/v1/admin/jobs/{job_id}/retry", headers=admin.headers)
    assert (answer.status_code, answer.json()["code"]) == (409, "conflict")
    assert _wallet(client, user)["held"] == 0
