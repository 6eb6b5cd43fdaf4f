"""Claims, volumes and storage classes as `kubectl describe` and `kubectl get` show them."""

from __future__ import annotations

from dataclasses import dataclass, field

from aisre.investigations.model.kubectl.text import NONE_VALUES, event_lines, table, value_of, values_of


@dataclass
class ClaimFacts:
    """A PersistentVolumeClaim: its class, phase, volume and the pods using it."""

    name: str
    namespace: str
    storage_class: str = ""
    status: str = ""
    volume: str = ""
    used_by: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    storage_class_line: str = ""

    @property
    def pending(self) -> bool:
        return self.status == "Pending"


def _value(text: str, key: str) -> str:
    value = value_of(text, key) or ""
    return "" if value in NONE_VALUES else value


def parse_claim(text: str, name: str = "", namespace: str = "") -> ClaimFacts:
    claim = ClaimFacts(name=_value(text, "Name") or name, namespace=_value(text, "Namespace") or namespace)
    claim.storage_class = _value(text, "StorageClass")
    claim.storage_class_line = f"StorageClass: {claim.storage_class or '<none>'}"
    claim.status = _value(text, "Status")
    claim.volume = _value(text, "Volume")
    claim.used_by = [v for v in values_of(text, "Used By") if v not in NONE_VALUES]
    claim.events = event_lines(text)
    return claim


def parse_claim_listing(text: str, namespace: str = "") -> list[ClaimFacts]:
    """`kubectl get pvc`: STATUS, VOLUME and STORAGECLASS columns."""
    claims = []
    for row in table(text):
        if row.get("NAME"):
            claim = ClaimFacts(
                name=row["NAME"],
                namespace=row.get("NAMESPACE", namespace),
                storage_class=row.get("STORAGECLASS", "") if row.get("STORAGECLASS") not in NONE_VALUES else "",
                status=row.get("STATUS", ""),
                volume=row.get("VOLUME", ""),
            )
            claim.storage_class_line = f"StorageClass: {claim.storage_class or '<none>'}"
            claims.append(claim)
    return claims


@dataclass(frozen=True)
class StorageClassRow:
    name: str
    default: bool
    provisioner: str


def parse_storage_classes(text: str) -> list[StorageClassRow]:
    """`kubectl get storageclass`: the default one is marked "(default)" after its name."""
    classes = []
    for row in table(text):
        raw = row.get("NAME", "")
        if raw:
            name = raw.split()[0]
            classes.append(StorageClassRow(name, "(default)" in raw, row.get("PROVISIONER", "")))
    return classes


@dataclass(frozen=True)
class VolumeRow:
    name: str
    capacity: str
    access_modes: str
    status: str
    claim: str
    storage_class: str


def parse_volumes(text: str) -> list[VolumeRow]:
    """`kubectl get pv`: which volumes are Available for a claim to bind, and with what class and size."""
    return [
        VolumeRow(
            row["NAME"],
            row.get("CAPACITY", ""),
            row.get("ACCESS MODES", ""),
            row.get("STATUS", ""),
            row.get("CLAIM", ""),
            row.get("STORAGECLASS", ""),
        )
        for row in table(text)
        if row.get("NAME")
    ]
