"""The alerts' use cases: intake, dead letters and replay, SNS deliveries, PagerDuty sync, the queue path."""
