"""The alerts' outside systems: Amazon SNS as an HTTPS subscriber meets it."""
