"""Commerce use cases: credit packs, payments, refunds, coupons and gift cards (SPEC WAL-4…6)."""
