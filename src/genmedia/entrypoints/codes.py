"""`genmedia coupons create|list` and `genmedia gift-cards list` (SPEC WAL-5, WAL-6)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

import attrs

from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.errors import InvalidValue
from genmedia.domain.gift_cards import GiftCard
from genmedia.entrypoints.container import Container


def add_coupons(sub: Any) -> None:
    """The `coupons` subcommands."""
    group = sub.add_parser("coupons", help="discount and credits coupons").add_subparsers(
        dest="coupons_command", required=True
    )
    create = group.add_parser("create", help="create a coupon")
    create.add_argument("code", help="3 to 64 letters, digits, '-' or '_' (case is ignored)")
    create.add_argument("--type", required=True, choices=[t.value for t in DiscountType])
    create.add_argument("--value", required=True, type=int, help="percent, amount or credits")
    create.add_argument("--currency", help="the currency of a fixed_amount coupon")
    create.add_argument("--max-uses", type=int, help="uses in all (default: unlimited)")
    create.add_argument("--valid-from", type=_when, help="ISO 8601 (default: now)")
    create.add_argument("--valid-until", type=_when, help="ISO 8601 (default: no end)")
    create.add_argument("--description", default="")
    create.add_argument("--json", action="store_true", help="print the coupon as JSON")
    create.set_defaults(fn=cmd_coupons_create)
    listing = group.add_parser("list", help="list coupons, newest first")
    _listing(listing, cmd_coupons_list)


def add_gift_cards(sub: Any) -> None:
    """The `gift-cards` subcommands."""
    group = sub.add_parser("gift-cards", help="gift cards").add_subparsers(
        dest="gift_cards_command", required=True
    )
    _listing(group.add_parser("list", help="list gift cards, newest first"), cmd_gift_cards_list)


def _listing(parser: argparse.ArgumentParser, fn: Any) -> None:
    parser.add_argument("--limit", type=int, default=20, help="at most this many (1–100)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(fn=fn)


def _when(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_coupons_create(container: Container, args: argparse.Namespace) -> int:
    """Create one coupon."""
    coupon = container.create_coupon(
        Coupon(
            code=args.code, description=args.description, discount_type=DiscountType(args.type),
            discount_value=args.value, currency=args.currency, max_uses=args.max_uses,
            valid_from=args.valid_from or container.clock().now(), valid_until=args.valid_until,
        )
    )  # fmt: skip
    if args.json:
        print(json.dumps(coupon_json(coupon), indent=2))
    else:
        print(f"coupon {coupon.id} {coupon.code}: {_offer(coupon)}")
    return 0


def cmd_coupons_list(container: Container, args: argparse.Namespace) -> int:
    """List coupons."""
    page = container.admin_list_coupons(limit=_limit(args.limit))
    if args.json:
        print(json.dumps([coupon_json(c) for c in page.items], indent=2))
        return 0
    for c in page.items:
        uses = f"{c.used_count}/{c.max_uses if c.max_uses is not None else '∞'}"
        state = "active" if c.is_active else "inactive"
        print(f"{c.id:>6}  {c.code:<20} {_offer(c):<22} uses {uses:<9} {state}")
    return 0


def cmd_gift_cards_list(container: Container, args: argparse.Namespace) -> int:
    """List gift cards (a code is never shown again: only its last four characters)."""
    page = container.admin_list_gift_cards(limit=_limit(args.limit))
    if args.json:
        print(json.dumps([gift_card_json(c) for c in page.items], indent=2))
        return 0
    for card in page.items:
        buyer = card.purchaser_email or f"user {card.purchaser_user_id}"
        print(
            f"{card.id:>6}  …{card.code_hint}  {card.status.value:<9} {card.credits:>7} credits"
            f"  {card.price} {card.currency}  from {buyer}"
        )
    return 0


def _limit(value: int) -> int:
    if not 1 <= value <= 100:
        raise InvalidValue("limit", "must be a whole number from 1 to 100")
    return value


def _offer(coupon: Coupon) -> str:
    if coupon.discount_type is DiscountType.PERCENTAGE:
        return f"{coupon.discount_value}% off"
    if coupon.discount_type is DiscountType.FIXED_AMOUNT:
        return f"{coupon.discount_value} {coupon.currency} off"
    return f"{coupon.discount_value} credits"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)


def coupon_json(coupon: Coupon) -> dict[str, Any]:
    """A coupon as JSON."""
    return {k: _plain(v) for k, v in attrs.asdict(coupon, recurse=False).items()}


def gift_card_json(card: GiftCard) -> dict[str, Any]:
    """A gift card as JSON, without its code's hash."""
    fields = attrs.asdict(card, recurse=False, filter=lambda a, _: a.name != "code_hash")
    return {k: _plain(v) for k, v in fields.items()}
