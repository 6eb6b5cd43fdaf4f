"""Step Functions, the built-in definitions on disk, the cluster read by the read steps."""
