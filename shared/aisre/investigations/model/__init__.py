"""The investigations' pure model: evidence, the analyzer's rules and findings, investigations and diagnoses,
chat data, similarity.
"""
