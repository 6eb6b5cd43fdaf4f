"""The single table's base: the record class and its indexes, key building blocks, cursors, lookup by id, client
tuning, health.
"""
