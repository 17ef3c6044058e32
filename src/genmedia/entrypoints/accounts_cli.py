"""`genmedia users list|show` and `genmedia credits grant|deduct`: users and their credits
from the command line, each with `--json`.

A grant or deduction made here is recorded in the audit log with no actor (the operator
at the command line), under the same rules as the admin route: its reference applies once
per user, and a deduction takes only available credits.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from genmedia.domain.errors import InvalidValue
from genmedia.domain.user import User
from genmedia.domain.wallet import LedgerEntry, Wallet
from genmedia.entrypoints.container import Container


def _time(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_json(user: User, wallet: Wallet | None = None) -> dict[str, Any]:
    """A user (with their wallet, if given) as JSON."""
    shown: dict[str, Any] = {
        "id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin,
        "is_active": user.is_active, "created_at": _time(user.created_at),
        "last_login_at": _time(user.last_login_at),
    }  # fmt: skip
    if wallet is not None:
        shown["wallet"] = {
            "balance": wallet.balance, "held": wallet.held, "available": wallet.available,
            "total_spent": wallet.total_spent, "total_bought": wallet.total_bought,
        }  # fmt: skip
    return shown


def entry_json(entry: LedgerEntry) -> dict[str, Any]:
    """A ledger entry as JSON."""
    return {
        "id": entry.id, "user_id": entry.user_id, "type": entry.type.value,
        "kind": entry.kind.value, "amount": entry.amount, "balance_before": entry.balance_before,
        "balance_after": entry.balance_after, "reason": entry.reason,
        "reference_id": entry.reference_id, "created_at": _time(entry.created_at),
    }  # fmt: skip


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def cmd_users_list(container: Container, args: argparse.Namespace) -> int:
    """List users, newest first, optionally those whose e-mail contains --email."""
    found = container.admin_list_users(email=args.email, limit=args.limit).items
    if args.json:
        _print([user_json(user) for user in found])
    for user in [] if args.json else found:
        print(f"{user.id}\t{user.email}{'  (admin)' if user.is_admin else ''}")
    return 0


def cmd_users_show(container: Container, args: argparse.Namespace) -> int:
    """Show one user and their wallet."""
    user, wallet = container.admin_user_account(container.find_user(args.email).id)
    if args.json:
        _print(user_json(user, wallet))
        return 0
    print(f"user {user.id} {user.email}{' (admin)' if user.is_admin else ''}")
    print(f"credits: {wallet.balance} ({wallet.held} held, {wallet.available} available)")
    return 0


def cmd_credits(container: Container, args: argparse.Namespace) -> int:
    """Grant or deduct credits once per --reference."""
    if args.amount <= 0:
        raise InvalidValue("amount", "must be a positive number of credits")
    user = container.find_user(args.email)
    amount = args.amount if args.credits_command == "grant" else -args.amount
    body = {"amount": amount, "reason": args.reason, "reference_id": args.reference}
    entry = container.admin_adjust_credits(None, user.id, body)
    if args.json:
        _print({**entry_json(entry), "replayed": entry.replayed})
        return 0
    done = "already applied" if entry.replayed else "applied"
    print(f"{entry.type.value} of {entry.amount} {done}: balance {entry.balance_after}")
    return 0


def add_user_reads(users: Any) -> None:
    """`users list` and `users show`, added to the `users` subcommands."""
    listing = users.add_parser("list", help="list users, newest first")
    listing.add_argument("--email", help="only e-mails containing this")
    listing.add_argument("--limit", type=int, default=20, help="how many (1-100)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(fn=cmd_users_list)
    show = users.add_parser("show", help="show a user and their wallet")
    show.add_argument("email")
    show.add_argument("--json", action="store_true")
    show.set_defaults(fn=cmd_users_show)


def add_credits(sub: Any) -> None:
    """The `credits` subcommands."""
    group = sub.add_parser("credits", help="grant or deduct a user's credits").add_subparsers(
        dest="credits_command", required=True
    )
    for name, text in (("grant", "give credits"), ("deduct", "take available credits")):
        command = group.add_parser(name, help=text)
        command.add_argument("email")
        command.add_argument("amount", type=int, help="credits (a positive number)")
        command.add_argument("--reason", required=True)
        command.add_argument("--reference", required=True, help="applies once per user")
        command.add_argument("--json", action="store_true")
        command.set_defaults(fn=cmd_credits)
