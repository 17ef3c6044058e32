"""The SQL adapter's repositories and unit of work, one module per area."""
