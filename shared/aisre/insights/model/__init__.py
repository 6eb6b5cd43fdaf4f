"""Pure: the metrics math, the daily timeline, the CSV rows and the registries' names."""
