"""The investigations' outside systems: the chat model, embeddings, vector indexes, Step Functions, read-only tools."""
