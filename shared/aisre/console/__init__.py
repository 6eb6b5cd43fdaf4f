"""The operator console (GET /console): a browser app served as static files, which uses only the HTTP API."""
