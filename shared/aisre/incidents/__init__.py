"""Incidents: dedup and correlation of Alerts into incidents, their lifecycle and timeline, deploys and their
correlation.
"""
