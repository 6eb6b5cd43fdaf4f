"""incidents.model."""
