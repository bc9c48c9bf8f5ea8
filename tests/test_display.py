"""Every rich output goes through one mixin: dsmagic's mime JSON, a static escaped HTML
view in one CSS scope, and text/plain."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd

import dsmagic as dm
from dsmagic._display import KINDS, RichDisplay

PACKAGE = Path(dm.__file__).resolve().parent
HOSTILE = "<script>alert('x')</script>"


def _check(shown: RichDisplay, kind: str) -> dict:
    bundle = shown._repr_mimebundle_()
    mime = f"application/vnd.dsmagic.{kind}.v1+json"
    assert set(bundle) == {mime, "text/html", "text/plain"}
    assert bundle["text/plain"].strip()
    # The data is strict JSON (no NaN) and keeps the user's text as text.
    text = json.dumps(bundle[mime], allow_nan=False)
    assert HOSTILE in text or json.dumps(HOSTILE)[1:-1] in text
    html = bundle["text/html"]
    assert HOSTILE not in html and "&lt;script&gt;" in html
    scope = re.search(r'<div id="(dsm-[0-9a-f]+)"', html).group(1)
    assert html.count('class="dsm-root"') == 1, "one CSS scope, not nested ones"
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    selectors = [rule.split("{")[0].strip() for rule in css.split("}") if "{" in rule]
    assert all(s.startswith(f"#{scope}") for s in selectors), selectors
    return bundle


def test_eda_report_bundle_escapes_a_column_named_script():
    frame = pd.DataFrame({HOSTILE: [1.0, 2.0, float("nan"), 4.0] * 5, "b": list("xyzw") * 5})
    report = dm.eda(frame, progress=False)
    bundle = _check(report, "eda-report")
    assert HOSTILE in bundle["application/vnd.dsmagic.eda-report.v1+json"]["columns"]


def test_drift_report_bundle_escapes_a_column_named_script():
    reference = pd.DataFrame({HOSTILE: [float(i % 7) for i in range(200)]})
    current = pd.DataFrame({HOSTILE: [float(i % 7) + 3 for i in range(200)]})
    bundle = _check(dm.drift(reference, current), "drift-report")
    assert "DRIFT" in bundle["text/plain"]


def test_include_and_exclude_are_honoured_and_text_plain_stays():
    report = dm.eda(pd.DataFrame({"a": [1, 2, 3]}), progress=False)
    assert set(report._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    shown = report._repr_mimebundle_(exclude={"text/html"})
    assert "text/html" not in shown and "text/plain" in shown


def _classes_with_display() -> dict[str, str]:
    """Class name -> display kind for every class in the package that sets one."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in (
                    "_repr_html_",
                    "_repr_mimebundle_",
                ):
                    assert path.parent.name == "_display", (
                        f"{path.relative_to(PACKAGE)}:{node.name} writes its own "
                        f"{item.name}: derive from dsmagic._display.RichDisplay instead"
                    )
                if isinstance(item, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_display_kind" for t in item.targets
                ):
                    found[node.name] = ast.literal_eval(item.value)
    return found


def test_every_rich_object_uses_the_mixin_with_a_known_kind():
    kinds = _classes_with_display()
    assert len(kinds) >= 16, sorted(kinds)
    assert set(kinds.values()) <= set(KINDS)
    assert set(KINDS) == set(kinds.values()), "every listed kind has a class"
