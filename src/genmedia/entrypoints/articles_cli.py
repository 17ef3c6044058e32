"""`genmedia articles render`: store articles' HTML made again by the current renderer."""

from __future__ import annotations

import argparse
import json
from typing import Any

from genmedia.entrypoints.container import Container


def add_articles(sub: Any) -> None:
    """The `articles` subcommands."""
    group = sub.add_parser("articles", help="articles (CNT-1)").add_subparsers(
        dest="articles_command", required=True
    )
    render = group.add_parser(
        "render", help="re-render the HTML of articles made by an older renderer"
    )
    render.add_argument("--json", action="store_true", help="print the count as JSON")
    render.set_defaults(fn=cmd_articles_render)


def cmd_articles_render(container: Container, args: argparse.Namespace) -> int:
    """Re-render every article whose stored HTML another renderer made; print how many."""
    renderer = container.article_renderer().name
    count = container.rerender_articles()
    if args.json:
        print(json.dumps({"rendered": count, "renderer": renderer}))
    else:
        print(f"{count} articles rendered again by {renderer}")
    return 0
