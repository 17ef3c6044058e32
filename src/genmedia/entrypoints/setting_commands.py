"""`genmedia settings set|get|list|rotate`: typed settings, encrypted ones never shown unless
asked for with `get --reveal` (SPEC CAT-7)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from genmedia.application.settings.commands import PutSetting
from genmedia.domain.settings import Setting, SettingType
from genmedia.entrypoints.console import table
from genmedia.entrypoints.container import Container


def add_settings(sub: Any) -> None:
    """The `settings` subcommands."""
    group = sub.add_parser("settings", help="typed settings, some encrypted").add_subparsers(
        dest="settings_command", required=True
    )
    put = group.add_parser("set", help="set a setting (created if new)")
    put.add_argument("key")
    put.add_argument("value", help='the value as text; "-" reads it from stdin (for secrets)')
    put.add_argument("--type", choices=[t.value for t in SettingType])
    put.add_argument("--group")
    put.add_argument("--label")
    put.add_argument("--description")
    put.add_argument(
        "--secret",
        action=argparse.BooleanOptionalAction,
        help="keep the value encrypted and never show it (--no-secret: stop)",
    )
    put.set_defaults(fn=cmd_settings_set)
    get = group.add_parser("get", help="show a setting (an encrypted value as ***)")
    get.add_argument("key")
    get.add_argument("--reveal", action="store_true", help="print an encrypted value in clear")
    get.set_defaults(fn=cmd_settings_get)
    group.add_parser("list", help="list every setting").set_defaults(fn=cmd_settings_list)
    rotate = group.add_parser(
        "rotate", help="re-encrypt every encrypted value with the current key"
    )
    rotate.set_defaults(fn=cmd_settings_rotate)
    for command in (put, get, group.choices["list"], rotate):
        command.add_argument("--json", action="store_true", help="print JSON")


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def setting_json(setting: Setting) -> dict[str, Any]:
    """A setting as anyone may see it: an encrypted value is "***"."""
    return {
        "id": setting.id,
        **setting.shown(),
        "created_at": _time(setting.created_at),
        "updated_at": _time(setting.updated_at),
    }


def _print(args: argparse.Namespace, document: Any, text: str) -> None:
    print(json.dumps(document, indent=2) if args.json else text)


def cmd_settings_set(container: Container, args: argparse.Namespace) -> int:
    """Set a setting; its value read from stdin when it is "-"."""
    value = sys.stdin.readline().rstrip("\r\n") if args.value == "-" else args.value
    setting = container.put_setting(
        PutSetting(
            key=args.key,
            value=value,
            type=args.type,
            group=args.group,
            label=args.label,
            description=args.description,
            is_encrypted=args.secret,
        )
    )
    _print(args, setting_json(setting), f"{setting.key} = {setting.shown_value}")
    return 0


def cmd_settings_get(container: Container, args: argparse.Namespace) -> int:
    """Show one setting; its clear value only with --reveal."""
    setting = container.get_setting(args.key)
    shown = setting_json(setting)
    if args.reveal and setting.is_encrypted:
        shown["value"] = container.secret_setting(args.key)
    _print(args, shown, "" if shown["value"] is None else str(shown["value"]))
    return 0


def cmd_settings_list(container: Container, args: argparse.Namespace) -> int:
    """List every setting, encrypted values as ***."""
    found: list[Setting] = []
    after = None
    while True:
        page = container.list_settings(after=after, limit=100)
        found += page.items
        if (after := page.next_after) is None:
            break
    rows = [(s.key, s.type.value, s.group, s.shown_value) for s in found]
    text = table(("key", "type", "group", "value"), rows) if rows else "no settings"
    _print(args, [setting_json(s) for s in found], text)
    return 0


def cmd_settings_rotate(container: Container, args: argparse.Namespace) -> int:
    """Re-encrypt every encrypted value with the current key."""
    count = container.rotate_settings()
    _print(args, {"reencrypted": count}, f"re-encrypted {count} setting(s) with the current key")
    return 0
