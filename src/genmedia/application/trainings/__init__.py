"""Trainings and trained models (SPEC TRN-1…3)."""
