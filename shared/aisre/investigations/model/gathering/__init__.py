"""Which read-only tool calls an investigation makes, and which next reads each answer leads to: pure.

`start.first_reads` turns the issue's subject into the first reads; `leads.next_reads` reads one answer (a
describe, a listing) and says what to read next (its owner, its pods, its claims, the nodes a pending pod could
use, the logs of a failing container). The loop that runs them, bounded, is `service/gather.py`."""
