"""Async tasks on disk: one JSON spec, a submit counter and a poll counter per task, each
written atomically. A task is a generation call or a training call (`"kind": "training"`)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from genmedia.adapters.providers.local.call_json import (
    call_from_json,
    call_to_json,
    canonical,
    training_from_json,
    training_to_json,
)
from genmedia.application.errors import ProviderError
from genmedia.application.ports import ProviderCall, TrainingCall

Task = ProviderCall | TrainingCall

_TASK_ID = re.compile(r"[0-9a-f]{64}")


class TaskStore:
    """The stored tasks of a LocalProvider, under one folder created on the first save."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def save(self, call: Task) -> str:
        """Store the call unless already stored, counting the submit; its task id, the same
        for the same call."""
        task_id = task_id_of(call)
        spec = self._spec_path(task_id)
        if not spec.exists():
            self._folder.mkdir(parents=True, exist_ok=True)
            write_atomic(spec, json.dumps(_to_json(call), sort_keys=True).encode())
        self._count(self._folder / f"{task_id}.submits")
        return task_id

    def load(self, task_id: str) -> Task:
        """The stored call; ProviderError("provider_task_not_found") if there is none."""
        if _TASK_ID.fullmatch(task_id):
            try:
                spec = json.loads(self._spec_path(task_id).read_bytes())
            except FileNotFoundError:
                pass
            else:
                return training_from_json(spec) if _is_training(spec) else call_from_json(spec)
        raise ProviderError("provider_task_not_found", f"no local task {task_id!r}")

    def count_poll(self, task_id: str) -> int:
        """Count one more poll of the task; how many polls came before this one."""
        return self._count(self._folder / f"{task_id}.polls")

    def submits(self, task_id: str) -> int:
        """How many times the task was submitted (a resubmission finds the same task)."""
        path = self._folder / f"{task_id}.submits"
        return int(path.read_text()) if path.exists() else 0

    def forget(self, task_id: str) -> None:
        """Delete the task's files; an unknown or malformed task id does nothing."""
        if _TASK_ID.fullmatch(task_id):
            for suffix in ("json", "polls", "submits"):
                (self._folder / f"{task_id}.{suffix}").unlink(missing_ok=True)

    def _count(self, path: Path) -> int:
        count = int(path.read_text()) if path.exists() else 0
        write_atomic(path, str(count + 1).encode())
        return count

    def _spec_path(self, task_id: str) -> Path:
        return self._folder / f"{task_id}.json"


def _is_training(spec: dict[str, object]) -> bool:
    return spec.get("kind") == "training"


def _to_json(call: Task) -> dict[str, object]:
    return training_to_json(call) if isinstance(call, TrainingCall) else call_to_json(call)


def task_id_of(call: Task) -> str:
    """A name for the job's task that a resubmission of the same call finds again."""
    return hashlib.sha256(canonical(_to_json(call))).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file in one step, so a reader never sees half of it."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
