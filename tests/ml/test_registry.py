"""The model registry on SQLite and PostgreSQL: versions, aliases, loading, lineage, CLI."""

from __future__ import annotations

import json

import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import dsmagic as dm
from dsmagic.cli import main as cli


@pytest.fixture
def iris():
    return load_iris(return_X_y=True, as_frame=True)


def _fit_run(name, model, X, y):
    with dm.start_run(name, experiment="iris") as run:
        model.fit(X, y)
        dm.log_metric("acc", model.score(X, y))
    return run


def test_register_versions_aliases_and_load(dsmagic_home, iris):
    X, y = iris
    tree = DecisionTreeClassifier(max_depth=2, random_state=0)
    logistic = LogisticRegression(max_iter=500)
    first = dm.register_model(_fit_run("tree", tree, X, y), "iris", model=tree)
    second = dm.register_model(
        _fit_run("logistic", logistic, X, y), "iris", model=logistic, description="more accurate"
    )
    assert (first.version, second.version) == (1, 2)
    assert second.model_class == "sklearn.linear_model._logistic.LogisticRegression"
    dm.set_alias("iris", 1, "production")
    loaded = dm.load_model("iris@production")
    assert isinstance(loaded, DecisionTreeClassifier)
    assert (loaded.predict(X) == tree.predict(X)).all()
    assert isinstance(dm.load_model("iris@latest"), LogisticRegression)
    assert isinstance(dm.load_model("iris"), LogisticRegression)
    assert isinstance(dm.load_model("iris@1"), DecisionTreeClassifier)
    dm.set_alias("iris", 2, "production")  # an alias moves
    assert dm.get_model_version("iris@production").version == 2
    assert dm.get_model_version("iris@1").aliases == []
    listing = dm.list_models()
    assert listing.loc[0, "name"] == "iris" and listing.loc[0, "latest_version"] == 2
    assert listing.loc[0, "aliases"] == "production=v2"
    folder = second.folder()
    assert (folder / "requirements.txt").read_text().count("scikit-learn==") == 1
    assert json.loads((folder / "dsmagic_model.json").read_text())["flavor"] == "sklearn"
    assert second.lineage()["run_id"] == dm.get_model_version("iris@2").run_id


def test_register_the_model_logged_in_the_run(dsmagic_home, iris):
    X, y = iris
    with dm.start_run("logged") as run:
        dm.log_model(DecisionTreeClassifier(max_depth=1).fit(X, y))
    version = dm.register_model(run, "stump")
    assert version.artifact_path == "model" and version.run_id == run.id


def test_bad_registry_input_is_one_line_and_writes_nothing(dsmagic_home, iris):
    with dm.start_run("no-model") as run:
        dm.log_metric("acc", 0.5)
    with pytest.raises(dm.DsmagicError, match="has no saved model: pass model="):
        dm.register_model(run, "empty")
    with pytest.raises(dm.NotFoundError, match="no registered model named 'empty'"):
        dm.load_model("empty@latest")
    X, y = iris
    dm.register_model(run, "iris", model=DecisionTreeClassifier().fit(X, y))
    with pytest.raises(dm.NotFoundError, match="no version or alias 'staging'"):
        dm.load_model("iris@staging")
    with pytest.raises(dm.NotFoundError, match="no version or alias '7'"):
        dm.set_alias("iris", 7, "production")
    with pytest.raises(dm.DsmagicError, match="'latest' always means"):
        dm.set_alias("iris", 1, "latest")
    with pytest.raises(dm.DsmagicError, match="alias '1bad'"):
        dm.set_alias("iris", 1, "1bad")
    with pytest.raises(dm.DsmagicError, match="model name 'a/b'"):
        dm.register_model(run, "a/b")
    assert dm.list_models()["name"].tolist() == ["iris"]
    assert dm.get_model_version("iris").aliases == []


def test_a_tampered_model_file_is_not_unpickled(dsmagic_home, iris):
    X, y = iris
    with dm.start_run() as run:
        pass
    version = dm.register_model(run, "iris", model=DecisionTreeClassifier().fit(X, y))
    (version.folder() / "model.joblib").write_bytes(b"not a pickle")
    with pytest.raises(dm.DsmagicError, match="does not match its recorded checksum"):
        dm.load_model("iris@1")


def test_models_cli_list_and_show(dsmagic_home, iris, capsys):
    X, y = iris
    assert cli(["models", "list"]) == 0
    assert "no registered models yet" in capsys.readouterr().out
    with dm.start_run("fit") as run:
        pass
    dm.register_model(run, "iris", model=DecisionTreeClassifier().fit(X, y))
    dm.set_alias("iris", 1, "production")
    assert cli(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "iris" in out and "production=v1" in out
    assert cli(["models", "show", "iris@production", "--json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["version"] == 1 and record["run_id"] == run.id
    assert record["aliases"] == ["production"]
    assert cli(["models", "show", "nope"]) == 2
    assert "no registered model named 'nope'" in capsys.readouterr().err
    target = dsmagic_home.parent / "card.html"
    assert (
        cli(
            [
                "models",
                "card",
                "iris@production",
                "--html",
                str(target),
                "--intended-use",
                "demo <only>",
            ]
        )
        == 0
    )
    assert "&lt;only&gt;" in target.read_text()
    assert cli(["models", "card", "iris@1"]) == 0
    assert capsys.readouterr().out.count("# Model card: iris@1") == 1


def test_registry_magics(ipython):
    ipython.run_cell(
        "from sklearn.datasets import load_iris\nfrom sklearn.tree import DecisionTreeClassifier\n"
        "X, y = load_iris(return_X_y=True, as_frame=True)\n"
        "clf = DecisionTreeClassifier(max_depth=2).fit(X, y)\n"
        "import dsmagic as dm\nrun = dm.start_run('m')"
    )
    ipython.run_line_magic("register_model", "iris --model clf --alias staging")
    assert dm.get_model_version("iris@staging").version == 1
    frame = ipython.run_line_magic("models", "iris")
    assert frame["aliases"].tolist() == ["staging"]
    outcome = ipython.run_cell("%register_model iris --model missing")
    assert "no variable named 'missing'" in str(outcome.error_in_exec)


def test_lineage_and_card_show_the_data_versions_of_the_run(dsmagic_home, iris):
    X, y = iris
    with dm.start_run("with-data") as run:
        dm.track_data(X.assign(target=y), "iris-train")
        model = DecisionTreeClassifier(max_depth=2).fit(X, y)
    version = dm.register_model(run, "iris", model=model)
    [item] = version.lineage()["datasets"]
    assert (item["dataset"], item["version"], item["rows"]) == ("iris-train", 1, 150)
    markdown = dm.model_card("iris@1").to_markdown()
    assert "| iris-train | 1 | 150 | 5 |" in markdown
    assert "no data versions are recorded" not in markdown
