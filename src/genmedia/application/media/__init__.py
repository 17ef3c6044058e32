"""Media use cases: uploads, the user's media library, favorites and downloads (SPEC GEN-8/9)."""
