"""Live events: store."""
