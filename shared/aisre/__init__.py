"""aisre: alerts in, incidents out, each investigated; the Lambda layer's package, laid out by capability
(docs/architecture.md).
"""

__version__ = "0.1.0"
