"""Execution: claiming, running, completing, dispatching and rescuing jobs (SPEC EXE)."""
