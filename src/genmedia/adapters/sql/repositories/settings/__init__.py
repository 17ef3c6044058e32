"""Settings in SQL."""
