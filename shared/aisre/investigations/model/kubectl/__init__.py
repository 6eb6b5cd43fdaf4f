"""kubectl's text output (describe, get listings, events) read into plain records: pure, no I/O.

Both the gatherer (which object to read next) and the analyzer's rules (what the objects say together) read
the same facts, so they are parsed once, here, in kubectl's own format as HolmesGPT's tools print it and as
the live adapter renders it."""
