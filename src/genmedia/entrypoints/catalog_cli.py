"""`genmedia catalog export|load`: the whole catalog as one JSON document (issue #20 §5)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from genmedia.application.catalog.loading import LoadReport
from genmedia.entrypoints.container import Container

WAYS = ("created", "updated", "unchanged", "kept", "retired")


def add_catalog(sub: Any) -> None:
    """The `catalog` subcommands."""
    group = sub.add_parser("catalog", help="the catalog as code").add_subparsers(
        dest="catalog_command", required=True
    )
    export = group.add_parser("export", help="write the whole catalog as a JSON document")
    export.add_argument("file", help="where to write it; - for standard output")
    export.set_defaults(fn=cmd_catalog_export)
    load = group.add_parser("load", help="make the catalog what a JSON document says")
    load.add_argument("file", help="the document; - for standard input")
    load.add_argument(
        "--prune", action="store_true", help="retire what the document lacks (soft delete)"
    )
    load.add_argument("--json", action="store_true", help="print what changed as JSON")
    load.set_defaults(fn=cmd_catalog_load)


def cmd_catalog_export(container: Container, args: argparse.Namespace) -> int:
    """Write the catalog document; sections and their entries in a stable order."""
    text = json.dumps(container.export_catalog(), indent=2, ensure_ascii=False) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
        return 0
    Path(args.file).write_text(text, encoding="utf-8")
    print(f"catalog written to {args.file}", file=sys.stderr)
    return 0


def cmd_catalog_load(container: Container, args: argparse.Namespace) -> int:
    """Load a catalog document: 0 when loaded, 2 (every problem printed) when refused."""
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    report: LoadReport = container.load_catalog(data, prune=args.prune)
    if args.json:
        print(json.dumps(_as_json(report), indent=2))
    else:
        for section, counts in report.counts().items():
            print(f"{section}: " + ", ".join(f"{counts[way]} {way}" for way in WAYS))
    return 0


def _as_json(report: LoadReport) -> dict[str, Any]:
    sections = {
        name: {way: list(getattr(found, way)) for way in WAYS}
        for name, found in report.sections.items()
    }
    return {"writes": report.writes, "sections": sections}
