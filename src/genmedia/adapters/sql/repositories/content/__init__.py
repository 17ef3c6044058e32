"""Articles in SQL."""
