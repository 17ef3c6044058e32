"""Users in SQL."""
