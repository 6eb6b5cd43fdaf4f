"""The interfaces the investigations services need: tools, the chat model, embeddings and the vector index,
the investigation store, the workflow engine, and what remediation knows of the proposals. Adapters in
investigations/adapters and /store implement them; remediation's ProposalReads implements ProposalState."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from aisre.investigations.model.chat import ChatDelta, ChatReply, Message
from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.model.investigation import Investigation
from aisre.investigations.model.start_requests import InvestigationRequest
from aisre.remediation.model.approvals import SuggestionApproval


class ToolRunner(Protocol):
    """Runs read-only investigation tools by HolmesGPT's tool names. `run` never raises: failures are results."""

    def available_tools(self) -> frozenset[str]: ...

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult: ...


class ChatModel(Protocol):
    """A chat-completions endpoint with function calling. `complete` raises only LLMError."""

    @property
    def model(self) -> str: ...

    def complete(self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None = None) -> ChatReply: ...


class StreamingChatModel(ChatModel, Protocol):
    def stream(
        self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None = None
    ) -> Iterator[ChatDelta]: ...


class VectorHit(NamedTuple):
    """One search result: a tuple, so callers may unpack it as (doc_id, score, metadata)."""

    doc_id: str
    score: float  # cosine similarity in [-1, 1], whatever the backend's own score scale
    metadata: dict[str, Any]


class Embedder(Protocol):
    @property
    def dimensions(self) -> int:
        """The length of every vector this embedder returns."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalized vector per text, in order (EmbeddingError when the model fails)."""


class VectorIndex(Protocol):
    """Vectors by (workspace, document): the workspace is part of every key and every search filter."""

    def upsert(self, workspace_id: str, doc_id: str, vector: Sequence[float], metadata: Mapping[str, Any]) -> None:
        """Store or replace the document's vector and metadata."""

    def query(
        self, workspace_id: str, vector: Sequence[float], k: int, exclude_id: str | None = None
    ) -> list[VectorHit]:
        """The k nearest documents of the workspace, best first, never `exclude_id` nor another workspace's."""

    def delete(self, workspace_id: str, doc_id: str) -> None:
        """Forget the document; forgetting one that is not there is not an error."""


class InvestigationStore(Protocol):
    def create(self, investigation: Investigation) -> None: ...

    def save(self, investigation: Investigation) -> None: ...

    def get(self, workspace_id: str | None, investigation_id: str) -> Investigation: ...

    def of_incident(self, workspace_id: str, incident_id: str, limit: int = 20) -> list[str]: ...


class Workflow(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Start the execution `name`; starting one that exists already (a retried start) is not an error."""

    def is_running(self, name: str) -> bool:
        """Whether the execution `name` is still running."""


class InvestigationQueue(Protocol):
    def request(self, requests: Sequence[InvestigationRequest]) -> None:
        """Queue the requests for the starter; raises when any could not be queued."""


class ProposalState(Protocol):
    """What remediation knows of a diagnosis' suggested actions, read-only (remediation's ProposalReads): a port, so
    that investigations reads it without importing remediation's services or stores (the write path)."""

    def approvals_of(self, workspace_id: str, incident_id: str) -> Mapping[str, SuggestionApproval]:
        """suggestion_key -> the latest approval asked for an action of the incident."""

    def spent_rate_limits(self, workspace_id: str, targets: Iterable[tuple[str, str]]) -> Mapping[str, int]:
        """rate_limit_key(action, namespace) -> executions within that action's window, for each (action,
        namespace) the policy limits."""
