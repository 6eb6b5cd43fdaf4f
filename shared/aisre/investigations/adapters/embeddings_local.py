"""A local embedding with nothing to download: hashed word unigrams, bigrams and character 3-grams."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from aisre.investigations.model.similarity import l2_normalize

DEFAULT_DIMENSIONS = 384

# Each family's weight: character 3-grams are many per word, so they are damped to keep whole words
# (service names, "OOMKilled") deciding the ranking while still catching "crashloop" ~ "CrashLoopBackOff".
_WORD_WEIGHT = 1.0
_BIGRAM_WEIGHT = 0.8
_CHAR_WEIGHT = 0.3

# Words present in nearly every incident text carry no topic and only raise every pair's similarity.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "with",
        "again",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


class HashingEmbedder:
    """Feature hashing into a fixed dimension, sublinear tf, L2-normalized; identical in every process."""

    def __init__(self, dimensions: int = DEFAULT_DIMENSIONS):
        if dimensions <= 0:
            raise ValueError("dimensions must be positive")
        self._dimensions = dimensions

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_one(text) for text in texts]

    def embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self._dimensions
        for feature, weight in _features(text).items():
            slot, sign = _slot(feature, self._dimensions)
            vector[slot] += sign * weight
        return l2_normalize(vector)


def _features(text: str) -> dict[str, float]:
    """Each feature's weight: family weight times 1 + log(tf)."""
    words = _words(text)
    counts: Counter[str] = Counter()
    for word in words:
        counts["w:" + word] += 1
        padded = f"<{word}>"
        counts.update("c:" + padded[i : i + 3] for i in range(len(padded) - 2))
    counts.update(f"b:{first} {second}" for first, second in itertools.pairwise(words))
    family_weight = {"w": _WORD_WEIGHT, "b": _BIGRAM_WEIGHT, "c": _CHAR_WEIGHT}
    return {feature: family_weight[feature[0]] * (1.0 + math.log(tf)) for feature, tf in counts.items()}


def _words(text: str) -> list[str]:
    """Lower-cased words without stopwords; a camel-cased word also yields its parts (OOMKilled: oom, killed)."""
    words: list[str] = []
    for raw in _WORD.findall(text):
        lowered = raw.lower()
        if lowered in _STOPWORDS:
            continue
        words.append(lowered)
        parts = _CAMEL.findall(raw)
        if len(parts) > 1:
            words.extend(part.lower() for part in parts if part.lower() not in _STOPWORDS)
    return words


@lru_cache(maxsize=65536)
def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    # blake2b, never hash(): Python salts str hashes per process, and vectors must match across Lambdas.
    digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
    # A sign bit from the same digest makes collisions cancel out on average instead of piling up.
    return digest % dimensions, (1.0 if digest >> 63 else -1.0)
