"""Live events: service."""
