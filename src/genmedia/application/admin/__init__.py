"""Admin: operator writes to the catalog, commerce, settings and content, each audited."""
