"""Operations: queue statistics and retention (SPEC GEN-8, GEN-11)."""
