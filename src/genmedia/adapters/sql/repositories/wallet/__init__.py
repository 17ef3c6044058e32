"""Wallets, the ledger, lots and credit holds in SQL."""
