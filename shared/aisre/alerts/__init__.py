"""Alerts: every provider's payload read into Alerts (normalizers, signatures, SNS), handed to incidents; what
cannot be read is dead-lettered; PagerDuty sync.
"""
