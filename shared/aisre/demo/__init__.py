"""The demo (seed 001 `POST /demo/seed`): a workspace filled with one coherent outage, through the others' services."""
