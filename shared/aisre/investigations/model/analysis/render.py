"""Turns an analysis into the answer text: what fired, the possible root causes with their evidence, next steps."""

from __future__ import annotations

from aisre.investigations.model.analysis.finding import Analysis
from aisre.investigations.model.evidence import Issue

MAX_FINDINGS = 4


def _alert_line(issue: Issue) -> str:
    text = f"Alert: {issue.title}"
    details = issue.description or issue.annotations.get("description") or issue.annotations.get("summary")
    if details and details.strip() != issue.title:
        text += f": {details.strip()}"
    return text


def _subject_line(issue: Issue) -> str | None:
    subject = issue.subject
    parts: list[str] = []
    if subject.name:
        parts.append(f"{subject.kind or 'resource'} `{subject.name}`")
    if subject.container:
        parts.append(f"container `{subject.container}`")
    if subject.namespace:
        parts.append(f"namespace `{subject.namespace}`")
    if subject.node:
        parts.append(f"node `{subject.node}`")
    return "Subject: " + ", ".join(parts) if parts else None


def render_answer(analysis: Analysis) -> str:
    issue = analysis.issue
    out = ["## Alert explanation", _alert_line(issue)]
    subject = _subject_line(issue)
    if subject:
        out.append(subject)
    if issue.starts_at:
        out.append(f"Started at: {issue.starts_at}")
    out.append("")
    if not analysis.findings:
        out.append("## Conclusions")
        out.append("No rule matched the gathered evidence: the root cause could not be determined without more data.")
    else:
        out.append("## Possible root causes (most likely first)")
        for number, finding in enumerate(analysis.findings[:MAX_FINDINGS], start=1):
            out.append(f"{number}. {finding.root_cause} (rule `{finding.rule}`, confidence {finding.confidence:.2f})")
            if finding.evidence_lines:
                out.append("   Evidence:")
                out.append("   ```")
                out.extend(f"   {line}" for line in finding.evidence_lines)
                out.append("   ```")
            if finding.suggestions:
                out.append("   Next steps:")
                out.extend(f"   - {tip}" for tip in finding.suggestions)
    if analysis.tool_calls:
        out.append("")
        out.append(f"## Tools called ({len(analysis.tool_calls)})")
        out.extend(f"- {call}" for call in analysis.tool_calls)
    if analysis.notes:
        out.append("")
        out.extend(f"Note: {note}" for note in analysis.notes)
    return "\n".join(out)
