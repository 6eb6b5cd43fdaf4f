"""investigations.adapters.tools."""
