"""Content (SPEC CNT-1): articles, read by everyone once published, written by admins."""
