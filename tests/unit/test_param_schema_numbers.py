"""Number rules of a param schema: multipleOf never fails on extreme values, only refuses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.param_schema import validate

STEP = {"type": "number", "multipleOf": 0.5}


def test_a_multiple_of_the_step_passes_and_another_number_is_refused_naming_the_field() -> None:
    assert validate(2.5, STEP, "params.strength") == []
    [problem] = validate(2.2, STEP, "params.strength")
    assert problem.field == "params.strength"


def test_an_integer_too_large_for_a_float_quotient_is_refused_not_an_error() -> None:
    [problem] = validate(10**400, STEP, "params.strength")
    assert "multiple of 0.5" in str(problem)


@given(
    value=st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
    step=st.floats(min_value=1e-308, max_value=1e308),
)
def test_the_multiple_check_answers_for_any_finite_value_and_positive_step(
    value: float, step: float
) -> None:
    problems = validate(value, {"type": "number", "multipleOf": step}, "params.x")
    assert all(p.field == "params.x" for p in problems)
