"""Live events: adapters."""
