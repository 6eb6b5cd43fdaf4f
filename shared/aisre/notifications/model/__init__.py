"""The notifications' pure model: events, channels, routing, deliveries, on-call, webhooks, triggers."""
