"""A provider's cost signal, kept with its unit (providers.md §7): the value, and how each
provider's answer maps onto it."""

from __future__ import annotations

from typing import Any

import pytest

from genmedia.adapters.providers.bfl.results import Charge, Charges
from genmedia.adapters.providers.bfl.results import outcome_of as bfl_outcome
from genmedia.adapters.providers.replicate.results import finished as replicate_finished
from genmedia.application.ports import Finished
from genmedia.domain.errors import InvalidValue
from genmedia.domain.provider_cost import CostUnit, ProviderCost, cost_facts

READY = {"status": "Ready", "result": {"sample": "https://delivery.bfl.ai/s.png"}}


def succeeded(metrics: Any) -> dict[str, Any]:
    return {"id": "p1", "status": "succeeded", "output": ["https://r.delivery/o.png"]} | metrics


@pytest.mark.parametrize("amount", [-0.01, float("nan"), float("inf")])
def test_a_cost_below_zero_or_not_finite_is_refused_naming_the_field(amount: float) -> None:
    with pytest.raises(InvalidValue) as excinfo:
        ProviderCost(amount, CostUnit.USD)
    assert excinfo.value.field == "provider_cost"


@pytest.mark.parametrize("unit", [None, "dollars", "credits"])
def test_a_kept_amount_without_a_known_unit_is_refused_naming_the_unit(unit: str | None) -> None:
    with pytest.raises(InvalidValue) as excinfo:
        ProviderCost.stored(4.0, unit)
    assert excinfo.value.field == "provider_cost_unit"


def test_a_kept_amount_and_unit_are_the_cost_and_no_amount_is_no_cost() -> None:
    assert ProviderCost.stored(4, "bfl_credits") == ProviderCost(4.0, CostUnit.BFL_CREDITS)
    assert ProviderCost.stored(None, None) is None


def test_the_output_metadata_notes_a_cost_as_its_amount_and_unit() -> None:
    spent = ProviderCost(1.25, CostUnit.REPLICATE_PREDICT_SECONDS)
    assert cost_facts(spent) == {
        "provider_cost": 1.25,
        "provider_cost_unit": "replicate_predict_seconds",
    }
    assert cost_facts(None) == {"provider_cost": None, "provider_cost_unit": None}


def test_bfl_names_its_cost_in_credits_at_submit_and_again_when_the_task_is_ready() -> None:
    charge = Charge.from_submit({"id": "t1", "cost": 4.0, "output_mp": 0.79})
    charges = Charges()
    charges.remember("t1", charge)

    done = bfl_outcome("t1", READY, poll_after=1, polling_url=None, charges=charges)

    assert charge.cost() == ProviderCost(4.0, CostUnit.BFL_CREDITS)
    assert isinstance(done, Finished)
    assert done.provider_cost == ProviderCost(4.0, CostUnit.BFL_CREDITS)
    assert done.metadata["output_mp"] == 0.79


@pytest.mark.parametrize("cost", [None, "4", -1, True])
def test_a_bfl_submit_without_a_readable_cost_names_none(cost: Any) -> None:
    assert Charge.from_submit({"id": "t1", "cost": cost}).cost() is None


def test_a_bfl_task_polled_elsewhere_than_it_was_submitted_names_no_cost_at_the_end() -> None:
    done = bfl_outcome("t1", READY, poll_after=1, polling_url=None, charges=Charges())

    assert isinstance(done, Finished)
    assert done.provider_cost is None  # the job kept the one its submit named


def test_replicate_names_its_predict_time_as_the_cost_in_seconds() -> None:
    done = replicate_finished(succeeded({"metrics": {"predict_time": 2.5, "total_time": 3}}))

    assert done.provider_cost == ProviderCost(2.5, CostUnit.REPLICATE_PREDICT_SECONDS)
    assert done.metadata["predict_time"] == 2.5


@pytest.mark.parametrize("metrics", [{}, {"metrics": None}, {"metrics": {"predict_time": "2"}}])
def test_a_replicate_prediction_without_a_predict_time_names_no_cost(
    metrics: dict[str, Any],
) -> None:
    assert replicate_finished(succeeded(metrics)).provider_cost is None
