"""HolmesGPT's models, vendored (see ../SOURCE.md)."""
