"""Identity use cases: users and their commands (SPEC IDN)."""
