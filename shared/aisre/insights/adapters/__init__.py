"""What insights reads from outside its own model: the notifications' integrations, the core's health checks."""
