"""Run every benchmark and merge its figures into bench/results.json."""

from __future__ import annotations

import json
import platform
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import async_tasks, batch, embedded, http, pipeline, training, wallet

RESULTS = Path(__file__).with_name("results.json")
SUITES = {
    "embedded": embedded.run,
    "wallet": wallet.run,
    "batch": batch.run,
    "pipeline": pipeline.run,
    "training": training.run,
    # Before http: wrk leaves thousands of loopback sockets in TIME_WAIT behind it.
    "async": async_tasks.run,
    "http": http.run,
}


def main(selected: list[str]) -> int:
    """Run the named suites (all by default) and write the merged results."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    failed = []
    for name, run in SUITES.items():
        if selected and name not in selected:
            continue
        print(f"== {name}", flush=True)
        try:
            figures = run()
        except Exception:  # one broken suite must not lose the other suites' figures
            traceback.print_exc()
            failed.append(name)
            continue
        for key, value in figures.items():
            print(f"{key} = {value}")
        results.update(figures)
    results["meta.measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["meta.python"] = platform.python_version()
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")
    if failed:
        print(f"failed suites: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
