"""Run every benchmark and merge its figures into bench/results.json."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import embedded, wallet

RESULTS = Path(__file__).with_name("results.json")
SUITES = {"embedded": embedded.run, "wallet": wallet.run}


def main(selected: list[str]) -> int:
    """Run the named suites (all by default) and write the merged results."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name, run in SUITES.items():
        if selected and name not in selected:
            continue
        print(f"== {name}", flush=True)
        figures = run()
        for key, value in figures.items():
            print(f"{key} = {value}")
        results.update(figures)
    results["meta.measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["meta.python"] = platform.python_version()
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
