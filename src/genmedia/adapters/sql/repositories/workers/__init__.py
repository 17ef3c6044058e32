"""Worker heartbeats in SQL."""
