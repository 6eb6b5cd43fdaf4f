"""The investigations' records in the table."""
