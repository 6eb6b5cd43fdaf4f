"""The single table's base: the record class and its indexes, key building blocks, cursors, lookup by id,
conditional writes, newest-first listings, client tuning, health.
"""
