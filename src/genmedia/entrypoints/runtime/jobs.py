"""A worker process's job runner, with the runtime's machinery plugged into it."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from genmedia.application.execution.runner import JobRunner
from genmedia.entrypoints.runtime.claim_ahead import ClaimAhead
from genmedia.entrypoints.runtime.completer import Completer
from genmedia.entrypoints.runtime.group_commit import GroupCommit


@attrs.frozen(kw_only=True)
class WorkerJobs:
    """The runner whose claims are made at fetch or by group commit, and whose begun
    provider calls and completions the completer writes; with the claims
    ahead and the completer, which the worker runtime starts and stops."""

    runner: JobRunner
    ahead: ClaimAhead
    completer: Completer

    @classmethod
    def around(
        cls,
        runner: JobRunner,
        *,
        pause: float = 1.0,
        on_finished: Callable[[], None] | None = None,
    ) -> WorkerJobs:
        """`runner` with its claims, begins and completions grouped (`pause`: seconds
        between tries to write completions given back)."""
        claims = GroupCommit(runner.claims.claim_all)
        ahead = ClaimAhead(runner.claims, fallback=claims.submit)
        completer = Completer(runner.claims, runner.endings, pause=pause, on_finished=on_finished)
        grouped = attrs.evolve(
            runner,
            claim=ahead.claim,
            begin=completer.begin,
            confirm=completer.confirm,
            complete=completer.complete,
        )
        return cls(runner=grouped, ahead=ahead, completer=completer)
