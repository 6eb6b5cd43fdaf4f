"""The alerts' pure model: normalizers, fingerprints, severities, payload and envelope parsing, signature checks,
dead letters.
"""
