"""Questions asked in words (issue #11): their parts, read without a model."""
