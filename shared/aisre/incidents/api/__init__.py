"""The incidents' routes: list, detail, timeline, group, lifecycle, activity, noisy incidents, deploy events."""
