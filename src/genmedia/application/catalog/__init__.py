"""Catalog use cases: reading, seeding, and loading and exporting it as code (SPEC CAT)."""
