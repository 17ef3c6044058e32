"""The sample catalog's real-provider templates on the embedded default, without any key."""

from __future__ import annotations

from pathlib import Path

import pytest

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.generate import run_until_done
from genmedia.entrypoints.library import upgrade_database
from genmedia.entrypoints.settings import Settings

pytestmark = pytest.mark.e2e

# The sample template of each real provider (BFL, fal, Replicate, OpenRouter).
TEMPLATES = ("bfl-product-shot", "fal-golden-hour", "quick-concept-art", "travel-poster")


def test_without_keys_each_real_providers_template_fails_as_not_configured_and_costs_nothing(
    tmp_path: Path,
) -> None:
    app = build_container(Settings(home=tmp_path))
    try:
        upgrade_database(app)
        app.seed_catalog()
        user_id = app.create_user(CreateUser(email="ann@example.com")).id or 0
        before = app.wallet_of(user_id)
        submitted = [
            app.submit_request(SubmitRequest(user_id=user_id, template=slug, user_prompt="a fox"))
            for slug in TEMPLATES
        ]
        run_until_done(app, [request.id or 0 for request in submitted], show=False)
        jobs = [app.request_details(request.id or 0)[0].jobs for request in submitted]
        after = app.wallet_of(user_id)
        configured = sorted(app.provider_gateways())
    finally:
        app.shutdown_resources()

    assert configured == ["local"]
    assert [[(j.status.value, j.error_code) for j in found] for found in jobs] == [
        [("failed", "provider_not_configured")]
    ] * len(TEMPLATES)
    assert (after.balance, after.held) == (before.balance, 0)
