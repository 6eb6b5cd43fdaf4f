"""What each channel receives for an event: pure renderers, one module per channel's documented shape."""
