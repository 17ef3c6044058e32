"""Adapters over the standard library: clock and password hashing."""
