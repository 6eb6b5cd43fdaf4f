"""incidents.api."""
