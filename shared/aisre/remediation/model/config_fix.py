"""suggest_config_fix: a proposed change of a workload's spec, as a unified diff, drafted from the finding. It
is advice: nothing is written anywhere, a person reviews and applies it.

Drafted without a model, line by line on the spec's own text so that the diff touches only what changes:
memory (OOM) and CPU (throttling) limits doubled, a missing environment variable added, probe delays and
thresholds relaxed. With no spec given, the fragment to add is proposed from /dev/null; with nothing
mechanical to change, the diff is empty and the summary says what to look at.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_QUANTITY = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>[A-Za-z]*)$")
_MEMORY_KEYWORDS = ("oom", "out of memory", "memory", "heap")
_CPU_KEYWORDS = ("throttl", "cpu")
_PROBE_KEYWORDS = ("probe", "liveness", "readiness", "startup")
_ENV_VAR = re.compile(
    r"\b(?:env(?:ironment)?(?: variable)?|variable)\s+[`'\"]?([A-Z][A-Z0-9_]{1,63})\b"
    r"|\b([A-Z][A-Z0-9_]{2,63})\b(?= (?:is )?(?:not set|missing|undefined|unset))"
)


@dataclass(frozen=True)
class ConfigProposal:
    summary: str
    diff: str
    proposed_spec: str


def _scaled(quantity: str, factor: float) -> str | None:
    match = _QUANTITY.match(quantity.strip().strip("'\""))
    if not match:
        return None
    number, unit = float(match["number"]), match["unit"]
    if unit == "m":  # millicores
        return f"{int(number * factor)}m"
    if unit == "Mi" and number * factor >= 1024 and (number * factor) % 1024 == 0:
        return f"{int(number * factor // 1024)}Gi"
    scaled = number * factor
    return f"{int(scaled) if scaled.is_integer() else scaled}{unit}"


def _raise_limit(lines: list[str], resource: str, factor: float) -> tuple[list[str], list[str]]:
    """Lines with every `<resource>:` under a `limits:` block scaled by `factor`; and what changed."""
    changed: list[str] = []
    result = list(lines)
    in_limits_at: int | None = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("limits:"):
            in_limits_at = indent
            continue
        if in_limits_at is not None and stripped and indent <= in_limits_at:
            in_limits_at = None
        if in_limits_at is not None and stripped.startswith(f"{resource}:"):
            value = stripped.split(":", 1)[1].strip()
            new = _scaled(value, factor)
            if new is not None:
                result[index] = line[:indent] + f"{resource}: {new}"
                changed.append(f"{resource} limit {value} -> {new}")
    return result, changed


def _relax_probes(lines: list[str]) -> tuple[list[str], list[str]]:
    changed: list[str] = []
    result = list(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        for key, factor in (("initialDelaySeconds:", 2), ("timeoutSeconds:", 2), ("failureThreshold:", 2)):
            if stripped.startswith(key):
                value = stripped.split(":", 1)[1].strip()
                if value.isdigit():
                    new = str(max(int(value) * factor, 1 if key != "initialDelaySeconds:" else 10))
                    indent = len(line) - len(line.lstrip())
                    result[index] = line[:indent] + f"{key} {new}"
                    changed.append(f"{key[:-1]} {value} -> {new}")
    return result, changed


def _add_env(lines: list[str], name: str) -> tuple[list[str], list[str]]:
    if any(re.search(rf"name:\s*{re.escape(name)}\b", line) for line in lines):
        return lines, []
    for index, line in enumerate(lines):
        if line.strip() == "env:":
            indent = len(line) - len(line.lstrip())
            entry = [" " * (indent + 2) + f"- name: {name}", " " * (indent + 4) + 'value: ""  # TODO: set it']
            return lines[: index + 1] + entry + lines[index + 1 :], [f"environment variable {name} added"]
    return lines, []


def _fragment(issue_text: str, env_name: str | None) -> tuple[list[str], str]:
    """What to add when no spec was given: a fragment a person fills in."""
    if any(word in issue_text for word in _MEMORY_KEYWORDS):
        return ["resources:", "  limits:", "    memory: <twice the current limit>"], "raise the memory limit"
    if any(word in issue_text for word in _CPU_KEYWORDS):
        return ["resources:", "  limits:", "    cpu: <twice the current limit>"], "raise the CPU limit"
    if env_name:
        return ["env:", f"  - name: {env_name}", '    value: ""  # TODO: set it'], f"set {env_name}"
    return [], ""


def draft_config_fix(component: str, issue: str, current_spec: str) -> ConfigProposal:
    text = issue.lower()
    match = _ENV_VAR.search(issue)
    env_name = (match.group(1) or match.group(2)) if match else None
    lines = current_spec.splitlines()
    if not lines:
        fragment, what = _fragment(text, env_name)
        if not fragment:
            return ConfigProposal(f"{component}: no mechanical change found for: {issue}", "", "")
        diff = difflib.unified_diff([], fragment, "/dev/null", f"b/{component}", lineterm="")
        return ConfigProposal(
            f"{component}: {what} (add this to its spec)", "\n".join(diff) + "\n", "\n".join(fragment)
        )
    proposed, changes = list(lines), []
    if any(word in text for word in _MEMORY_KEYWORDS):
        proposed, done = _raise_limit(proposed, "memory", 2)
        changes += done
    if any(word in text for word in _CPU_KEYWORDS):
        proposed, done = _raise_limit(proposed, "cpu", 2)
        changes += done
    if any(word in text for word in _PROBE_KEYWORDS):
        proposed, done = _relax_probes(proposed)
        changes += done
    if env_name:
        proposed, done = _add_env(proposed, env_name)
        changes += done
    if not changes:
        return ConfigProposal(f"{component}: no mechanical change found for: {issue}", "", current_spec)
    diff = difflib.unified_diff(lines, proposed, f"a/{component}", f"b/{component}", lineterm="")
    return ConfigProposal(f"{component}: " + "; ".join(changes), "\n".join(diff) + "\n", "\n".join(proposed) + "\n")
