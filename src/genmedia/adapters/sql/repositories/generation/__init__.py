"""Requests, jobs, the outbox of pending jobs, retention and statistics in SQL."""
