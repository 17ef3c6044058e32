"""Templates with their option groups in SQL."""
