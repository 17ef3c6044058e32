"""Features, tags and provider models in SQL."""
