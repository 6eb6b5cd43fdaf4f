"""Live events: model."""
