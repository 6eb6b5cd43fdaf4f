"""incidents.service."""
