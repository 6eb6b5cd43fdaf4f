"""investigations.adapters.kubernetes."""
