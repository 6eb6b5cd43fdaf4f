"""The incidents' pure model: Alert, Incident, timeline events, correlation decisions, deploys."""
