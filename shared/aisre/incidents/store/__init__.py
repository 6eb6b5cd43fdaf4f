"""incidents.store."""
