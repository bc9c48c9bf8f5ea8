"""The static views of pipelines, runs and diffs (escaped; scoped by the display mixin)."""

from __future__ import annotations

from typing import Any

from dsmagic._html import esc, table


def pipeline_html(p) -> str:
    issues = p.validate(check_files=False)
    by_step: dict[str, list[str]] = {}
    for issue in issues:
        by_step.setdefault(issue.step or "", []).append(f"{issue.severity}: {issue.message}")
    steps = p.steps
    rows = []
    for step_id in p.order() + sorted(set(steps) - set(p.order())):
        step = steps[step_id]
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(step.params.items()))
        rows.append((step_id, step.type, params, "; ".join(by_step.get(step_id, [])) or "ok"))
    errors = sum(i.severity == "error" for i in issues)
    status = f"{errors} error(s)" if errors else "valid"
    title = (f'<div class="dsm-title">Pipeline {esc(p.name)} '
             f'<span class="dsm-muted">{len(steps)} steps, {len(p.edges)} edges, '
             f"{esc(status)}</span></div>")  # fmt: skip
    return title + table(["step", "type", "parameters", "issues"], rows)


def pipeline_text(p) -> str:
    lines = [repr(p)]
    steps = p.steps
    for step_id in p.order():
        lines.append(f"  {step_id:<20} {steps[step_id].type}")
    return "\n".join(lines)


def run_html(run) -> str:
    badge = {"done": "finished", "running": "running", "failed": "failed",
             "killed": "killed"}.get(run.status, "")  # fmt: skip
    title = (f'<div class="dsm-title">Pipeline run {esc(run.id[:8])} of {esc(run.pipeline)} '
             f'<span class="dsm-badge dsm-{badge}">{esc(run.status)}</span></div>')  # fmt: skip
    rows = [(k, s.status, "" if s.duration is None else f"{s.duration:.2f} s", s.error or "")
            for k, s in run.steps.items()]  # fmt: skip
    body = title + table(["step", "status", "time", "error"], rows)
    if run.metrics:
        body += table(["metric", "value"], sorted(run.metrics.items()), numeric=[1])
    if run.error:
        body += f'<div class="dsm-bad">{esc(run.error)}</div>'
    return body


def diff_html(diff) -> str:
    rows: list[tuple[Any, ...]] = [("+", s, "step added", "", "") for s in diff.added]
    rows += [("-", s, "step removed", "", "") for s in diff.removed]
    for change in diff.changed:
        if change.type_change:
            rows.append(("~", change.step, "type", *change.type_change))
        rows += [("~", change.step, name, repr(old), repr(new))
                 for name, (old, new) in change.params.items()]  # fmt: skip
    rows += [("+", e, "edge added", "", "") for e in diff.edges_added]
    rows += [("-", e, "edge removed", "", "") for e in diff.edges_removed]
    title = f'<div class="dsm-title">{esc(diff.old)} &rarr; {esc(diff.new)}</div>'
    if not rows:
        return title + '<div class="dsm-muted">no changes to steps or edges</div>'
    return title + table(["", "where", "what", "old", "new"], rows)
