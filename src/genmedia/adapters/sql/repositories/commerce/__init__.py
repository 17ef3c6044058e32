"""Credit packs, payments, coupons and gift cards in SQL."""
