"""Alert bounds: whatever one alert carries, what an incident keeps of it fits, says what was cut, and is stable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aisre.incidents.model.alert import Alert
from aisre.incidents.model.alert_bounds import (
    ANNOTATIONS_BYTES,
    DESCRIPTION_BYTES,
    FINGERPRINT_BYTES,
    KUBERNETES_NAME_BYTES,
    LABELS_BYTES,
    LINK_BYTES,
    LINKS,
    NAME_BYTES,
    TITLE_BYTES,
    TRUNCATION_MARK,
    bound_alert,
    cut,
    shorten,
)


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def alert(**fields: object) -> Alert:
    return Alert.model_validate({"provider": "webhook", "source": "test", "title": "t", "fingerprint": "f", **fields})


def test_an_alert_that_fits_is_returned_as_it_is():
    small = alert(description="d", labels={"a": "b"}, annotations={"c": "d"}, links=["http://x"], service="s")
    assert bound_alert(small) is small


def test_long_text_is_cut_between_characters_and_marked():
    title = "é" * TITLE_BYTES  # 2 bytes each: twice the bound
    bounded = bound_alert(alert(title=title, description="€" * DESCRIPTION_BYTES))
    assert bounded.title.endswith(TRUNCATION_MARK) and size(bounded.title) <= TITLE_BYTES
    assert set(bounded.title.removesuffix(TRUNCATION_MARK)) == {"é"}
    assert size(bounded.description) <= DESCRIPTION_BYTES and bounded.description.endswith(TRUNCATION_MARK)
    assert bounded.truncated_fields == ["title", "description"]


def test_labels_past_their_total_are_dropped_and_long_values_cut():
    labels = {f"label{index:05d}": "v" * 100 for index in range(1000)}  # ~110 KB of labels
    labels["huge"] = "x" * 10_000
    labels["n" * (NAME_BYTES + 1)] = "too long a name"
    bounded = bound_alert(alert(labels=labels))
    total = sum(size(name) + size(value) for name, value in bounded.labels.items())
    assert total <= LABELS_BYTES
    assert list(bounded.labels) == list(labels)[: len(bounded.labels)]  # the sender's order, a prefix of it
    assert "labels" in bounded.truncated_fields


def test_annotations_keep_their_order_within_their_total():
    annotations = {"summary": "short", "description": "d" * 100_000, "runbook": "r" * 100_000}
    bounded = bound_alert(alert(annotations=annotations))
    assert bounded.annotations["summary"] == "short"
    assert bounded.annotations["description"].endswith(TRUNCATION_MARK)
    assert sum(size(name) + size(value) for name, value in bounded.annotations.items()) <= ANNOTATIONS_BYTES
    assert "annotations.description" in bounded.truncated_fields


def test_links_names_and_a_long_fingerprint():
    bounded = bound_alert(
        alert(
            links=[f"http://x/{index}" + "q" * 3000 for index in range(40)],
            service="s" * 1000,
            namespace="n" * 300,
            fingerprint="f" * (FINGERPRINT_BYTES + 1),
        )
    )
    assert len(bounded.links) == LINKS and all(size(link) <= LINK_BYTES for link in bounded.links)
    assert size(bounded.service or "") == KUBERNETES_NAME_BYTES and size(bounded.namespace or "") == 253
    assert bounded.fingerprint.startswith("sha256:") and len(bounded.fingerprint) == 71
    # The same long fingerprint always gives the same key: repeats still deduplicate.
    assert bound_alert(alert(fingerprint="f" * (FINGERPRINT_BYTES + 1))).fingerprint == bounded.fingerprint
    assert {"links", "service", "namespace", "fingerprint"} <= set(bounded.truncated_fields)


texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=3000)


@given(text=texts, limit=st.integers(min_value=len(TRUNCATION_MARK.encode()) + 4, max_value=2000))
def test_cut_and_shorten_stay_within_the_limit(text: str, limit: int):
    assert size(cut(text, limit)) <= limit and text.startswith(cut(text, limit))
    short = shorten(text, limit)
    assert size(short) <= limit
    assert short == text or short.endswith(TRUNCATION_MARK)


@given(
    title=st.text(min_size=1, max_size=3000),
    description=texts,
    labels=st.dictionaries(st.text(max_size=300), st.text(max_size=2000), max_size=30),
    annotations=st.dictionaries(st.text(max_size=300), st.text(max_size=12000), max_size=8),
    links=st.lists(st.text(max_size=3000), max_size=20),
    fingerprint=st.text(min_size=1, max_size=1000),
)
def test_bounding_fits_and_is_idempotent(title, description, labels, annotations, links, fingerprint):
    original = alert(
        title=title,
        description=description,
        labels=labels,
        annotations=annotations,
        links=links,
        fingerprint=fingerprint,
    )
    bounded = bound_alert(original)
    assert size(bounded.title) <= TITLE_BYTES and size(bounded.description) <= DESCRIPTION_BYTES
    assert sum(size(k) + size(v) for k, v in bounded.labels.items()) <= LABELS_BYTES
    assert sum(size(k) + size(v) for k, v in bounded.annotations.items()) <= ANNOTATIONS_BYTES
    assert size(bounded.fingerprint) <= FINGERPRINT_BYTES
    assert bool(bounded.truncated_fields) == (bounded != original)
    assert bound_alert(bounded) == bounded


@given(
    title=st.text(min_size=1, max_size=400),
    labels=st.dictionaries(st.text(max_size=70), st.text(max_size=300), max_size=20),
)
def test_what_surely_fits_is_what_bounding_field_by_field_leaves_alone(title, labels):
    from aisre.incidents.model.alert_bounds import bound_fields, surely_fits

    original = alert(title=title, labels=labels)
    if surely_fits(original):  # the shortcut never skips a cut the measuring would make
        assert bound_fields(original) is original
