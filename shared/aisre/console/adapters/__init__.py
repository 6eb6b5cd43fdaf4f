"""Where the console's files come from: the package's own data (shared/aisre/console/static)."""
