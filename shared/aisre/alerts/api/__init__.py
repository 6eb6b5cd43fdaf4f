"""The alerts' routes: webhooks of every provider, PagerDuty Events API v2, the dead-letter store."""
