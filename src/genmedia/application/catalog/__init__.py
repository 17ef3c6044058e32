"""Catalog use cases: seeding the sample catalog and reading it (SPEC CAT)."""
