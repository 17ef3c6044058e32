"""Rules about where code may live, read from the source itself."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import attrs

import genmedia
import genmedia.domain

SRC = Path(genmedia.__file__).parent


def _aggregate_fields() -> frozenset[str]:
    """The field names of every mutable attrs class in the domain (aggregates and entities)."""
    names: set[str] = set()
    for info in pkgutil.iter_modules(genmedia.domain.__path__, "genmedia.domain."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if _is_mutable_attrs_class(value, module.__name__):
                names.update(field.name for field in attrs.fields(value))
    return frozenset(names)


def _is_mutable_attrs_class(value: object, module: str) -> bool:
    if not (isinstance(value, type) and attrs.has(value) and value.__module__ == module):
        return False
    return getattr(value.__setattr__, "__name__", "") != "_frozen_setattrs"


def _targets(node: ast.AST) -> Iterator[ast.expr]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _flatten(target)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        yield node.target


def _flatten(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _flatten(element)
    else:
        yield target


def field_assignments(source: str, fields: frozenset[str]) -> list[str]:
    """`obj.field = …` (and setattr with a literal name) on anything but self or cls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for target in _targets(node):
            if (
                isinstance(target, ast.Attribute)
                and target.attr in fields
                and not (isinstance(target.value, ast.Name) and target.value.id in {"self", "cls"})
            ):
                found.append(f"line {target.lineno}: {ast.unparse(target)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in fields
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_an_assigned_field_of_an_aggregate() -> None:
    source = "def f(job, a):\n    job.status = 1\n    a.x, job.worker_id = 1, 2\n"
    found = field_assignments(source, frozenset({"status", "worker_id"}))
    assert found == ["line 2: job.status", "line 3: job.worker_id"]


def test_the_check_finds_setattr_with_a_field_name_and_ignores_self() -> None:
    source = "def f(self, job):\n    self.status = 1\n    setattr(job, 'status', 2)\n"
    assert field_assignments(source, frozenset({"status"})) == ["line 3: setattr(job, 'status', 2)"]


def test_the_domain_has_aggregates_whose_fields_are_checked() -> None:
    fields = _aggregate_fields()
    assert {"status", "worker_id", "balance", "held", "amount", "used_count"} <= fields


def test_no_code_outside_the_domain_assigns_a_field_of_an_aggregate() -> None:
    fields = _aggregate_fields()
    offences = {
        str(path.relative_to(SRC)): found
        for path in sorted(SRC.rglob("*.py"))
        if "domain" not in path.relative_to(SRC).parts
        and (found := field_assignments(path.read_text(), fields))
    }
    assert offences == {}
