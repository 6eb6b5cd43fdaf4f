"""On-call, pure: schedules (layers of rotations, restrictions, overrides), their shifts, escalation policies."""
