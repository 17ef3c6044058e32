"""Settings use cases (SPEC CAT-7): typed values, encrypted ones sealed at rest."""
