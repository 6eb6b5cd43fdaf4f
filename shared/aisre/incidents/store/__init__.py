"""The incidents' records in the table and the stores over them (docs/data-model.md)."""
