"""Notifications: routing events to channels, on-call schedules and escalation, outgoing webhooks and triggers."""
