"""Routes: GET /console, /console/config.json and /console/{path} (the console's files)."""
