"""Image measurement adapters."""
