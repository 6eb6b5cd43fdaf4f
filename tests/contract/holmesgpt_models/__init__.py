"""HolmesGPT's own request, response, tool-result and stream models, vendored as the referee of the
HolmesGPT-compatible API (see SOURCE.md): v0_19 (workload health), v0_21 (investigate, issue chat), v0_45 (chat)."""
