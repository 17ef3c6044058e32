"""Trained models (LoRA) in SQL."""
