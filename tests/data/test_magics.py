"""%track_data, %drift, %datasets and %lineage in a real IPython shell."""

from __future__ import annotations

import pandas as pd
import pytest

import dsmagic as dm

SETUP = """
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
df = pd.DataFrame({"age": rng.integers(18, 90, 3000), "income": rng.normal(5e4, 1e4, 3000),
                   "segment": rng.choice(list("abc"), 3000)})
def clean(frame):
    return frame[frame["age"] < 80].reset_index(drop=True)
"""


def run(shell, code: str):
    return shell.run_cell(code)


def test_the_issue_session_with_automatic_lineage(ipython):
    assert run(ipython, SETUP).success
    first = run(ipython, "%track_data df --name customers").result
    assert first.ref == "customers@1" and first.created
    result = run(ipython, "df2 = clean(df)\n%track_data df2 --name customers_clean")
    clean = result.result
    assert clean.ref == "customers_clean@1" and clean.parents == ["customers@1"]
    graph = dm.lineage("customers_clean@1")
    [edge] = graph.upstream
    assert edge.kind == "cell" and "df2 = clean(df)" in edge.transformation
    assert "%track_data df2" in clean.source
    # a new version of customers, then drift between the two
    run(ipython, "df = df.assign(income=df['income'] * 1.3)")
    second = run(ipython, "%track_data df --name customers").result
    assert second.version == 2
    report = run(ipython, "%drift customers@1 customers@2").result
    assert report.drifted_columns == ["income"] and not report.drifted
    # frames from the notebook and references mix
    mixed = run(ipython, "%drift customers@1 df2 --columns age,segment --method psi").result
    assert [c.column for c in mixed.columns] == ["age", "segment"]
    assert mixed.method == "psi"


def test_rebinding_a_name_in_the_same_cell_keeps_its_lineage(ipython):
    run(ipython, SETUP)
    run(ipython, "%track_data df --name raw")
    version = run(ipython, "df = clean(df)\n%track_data df --name trimmed").result
    assert version.parents == ["raw@1"]


def test_a_frame_changed_in_place_after_tracking_is_no_parent(ipython):
    run(ipython, SETUP)
    run(ipython, "%track_data df --name raw")
    run(ipython, "df.loc[0, 'age'] = 99")
    version = run(ipython, "other = df.head(10)\n%track_data other --name sample").result
    assert version.parents == []


def test_python_api_in_a_cell_records_lineage_and_load_data_counts_as_tracked(ipython):
    run(ipython, SETUP)
    run(ipython, "import dsmagic as dm\ndm.track_data(df, 'base')")
    run(ipython, "loaded = dm.load_data('base@1')")
    version = run(ipython, "small = loaded.head(5)\nv = dm.track_data(small, 'head')\nv").result
    assert version.parents == ["base@1"]


def test_listing_magics(ipython):
    run(ipython, SETUP)
    run(ipython, "%track_data df --name customers")
    listing = run(ipython, "%datasets").result
    assert isinstance(listing, pd.DataFrame) and listing["name"].tolist() == ["customers"]
    assert run(ipython, "%datasets customers").result["ref"].tolist() == ["customers@1"]
    assert run(ipython, "%lineage customers@1").result.root == "customers@1"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%track_data nothing_here", "no variable named 'nothing_here'"),
        ("%track_data df --name a/b", "no '/'"),
        ("%track_data 1+1", "must be a variable name"),
        ("%track_data rng", "needs a pandas DataFrame"),
        ("%drift customers@1 customers@9", "no dataset named 'customers'"),
        ("%drift df df --method magic", "invalid choice"),
        ("%drift df df --columns nope", "not in both frames"),
        ("%lineage nope@1", "no dataset named 'nope'"),
    ],
)
def test_bad_input_is_one_line(ipython, capsys, line, message):
    run(ipython, SETUP)
    result = run(ipython, line)
    assert not result.success
    error = str(result.error_in_exec or result.error_before_exec)
    assert message in error and "\n" not in error.strip()
    assert "Traceback" not in capsys.readouterr().err
    assert dm.list_datasets().empty


def test_cell_source_is_escaped_in_displays(ipython):
    run(ipython, SETUP)
    run(ipython, "%track_data df --name raw")
    cell = "out = df.head()  # <script>alert(1)</script>\n%track_data out --name head"
    version = run(ipython, cell).result
    html = version._repr_html_() + dm.lineage("head@1")._repr_html_()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "head@1 (new)" in repr(version) and "made from raw@1" in repr(version)


def test_names_follow_shell_quoting_and_comments(ipython):
    ipython.user_ns["df"] = pd.DataFrame({"bill": [39.1, 39.5, 40.3], "sex": ["m", "f", "f"]})
    first = run(ipython, "%track_data df --name 'penguins'  # as loaded").result
    assert first.name == "penguins" and first.version == 1
    second = run(ipython, '%track_data df --name "penguins_raw"').result
    assert second.name == "penguins_raw"
    report = run(ipython, "%drift 'penguins@1' penguins@1").result
    assert not report.drifted
