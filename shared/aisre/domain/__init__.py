"""Pure domain logic: models, normalizers, fingerprints, dedup and correlation decisions. No I/O here."""
