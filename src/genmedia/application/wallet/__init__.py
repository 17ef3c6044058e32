"""Wallet use cases: balances, the ledger, holds and the billing of jobs (SPEC WAL)."""
