"""Stored media in SQL."""
