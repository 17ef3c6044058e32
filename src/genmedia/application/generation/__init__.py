"""Generation use cases: estimate, submit, cancel and read requests (SPEC GEN)."""
