"""Idempotency keys in SQL."""
