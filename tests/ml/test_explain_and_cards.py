"""SHAP explanations, model cards and scikit-learn autolog."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import dsmagic as dm


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :8].copy()
    X["cohort"] = (X["mean radius"] > 14).map({True: "large", False: "small"})
    return train_test_split(X, y, random_state=0, test_size=0.3)


def _numeric(frame):
    return frame.drop(columns=["cohort"])


def test_tree_model_gets_tree_explainer_and_values_add_up(sqlite_home, cancer):
    X_train, X_test, y_train, _ = cancer
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(_numeric(X_train), y_train)
    explanation = dm.explain(model, _numeric(X_test))
    assert explanation.kind == "tree" and "TreeExplainer" in explanation.background
    assert "background: 100 rows" in explanation.background
    assert explanation.class_label == 1
    top = explanation.top_features(3)
    assert list(top.columns) == ["feature", "mean_abs_shap", "effect"] and len(top) == 3
    assert top["mean_abs_shap"].is_monotonic_decreasing
    row = explanation.explain_row(0)
    probability = model.predict_proba(_numeric(X_test).iloc[[0]])[0, 1]
    assert row.output == pytest.approx(probability, abs=0.02)
    assert row.top(3)["contribution"].abs().is_monotonic_decreasing
    label = _numeric(X_test).index[0]
    assert repr(row).startswith(f"row {label}: base ")  # the label as written, no np.int64(...)
    assert "<svg" in explanation._repr_mimebundle_()["text/html"]
    explanation.dependence_plot("mean radius")
    with pytest.raises(dm.DsmagicError, match="no feature 'nope'"):
        explanation.dependence_plot("nope")


def test_linear_and_model_agnostic_explainers(sqlite_home):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    linear = dm.explain(LogisticRegression(max_iter=2000).fit(X, y > 140), X.head(60))
    assert linear.kind == "linear" and "log-odds" in linear.background
    knn = KNeighborsRegressor(n_neighbors=3, algorithm="brute").fit(X.head(60), y.head(60))
    other = dm.explain(knn, X.head(8), n_background=5)
    assert other.kind == "other" and "PermutationExplainer" in other.background
    assert other.importance().index[0] in set(X.columns)
    boosted = dm.explain(GradientBoostingRegressor(n_estimators=20).fit(X, y), X.head(30))
    assert boosted.kind == "tree" and boosted.class_label is None
    iris_X, iris_y = load_iris(return_X_y=True, as_frame=True)
    multi = dm.explain(
        RandomForestClassifier(n_estimators=5).fit(iris_X, iris_y), iris_X, target_class=2
    )
    assert multi.class_label == 2


def test_explanations_are_logged_to_the_active_run(dsmagic_home, cancer):
    X_train, X_test, y_train, _ = cancer
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(_numeric(X_train), y_train)
    with dm.start_run() as run:
        dm.explain(model, _numeric(X_test))
    folder = dsmagic_home / "artifacts" / run.id / "shap"
    assert {p.name for p in folder.iterdir()} >= {"values.csv", "importance.csv", "summary.png"}


def test_what_shap_cannot_explain_is_named(sqlite_home, cancer):
    with pytest.raises(
        dm.DsmagicError, match=r"cannot explain a builtins\.object: it has no predict"
    ):
        dm.explain(object(), _numeric(cancer[1]))
    model = RandomForestClassifier(n_estimators=5).fit(_numeric(cancer[0]), cancer[2])
    with pytest.raises(dm.DsmagicError, match="X lacks columns the RandomForestClassifier"):
        dm.explain(model, _numeric(cancer[1]).iloc[:, :3])
    with pytest.raises(dm.DsmagicError, match="X has 3 columns but the RandomForestClassifier"):
        dm.explain(model, _numeric(cancer[1]).iloc[:, :3].to_numpy())
    reordered = dm.explain(model, _numeric(cancer[1]).iloc[:, ::-1].head(20))
    assert reordered.feature_names == list(_numeric(cancer[1]).columns)
    with pytest.raises(dm.DsmagicError, match="nothing to explain"):
        dm.explain(model, _numeric(cancer[1]).head(0))


def test_model_card_compares_metrics_groups_and_escapes(dsmagic_home, cancer, tmp_path):
    X_train, X_test, y_train, y_test = cancer
    pipe = lambda n: make_pipeline(  # noqa: E731
        StandardScaler(), RandomForestClassifier(n_estimators=n, random_state=0)
    )
    with dm.start_run("small", experiment="cancer"):
        small = pipe(3).fit(_numeric(X_train), y_train)
        dm.log_metric("acc", 0.80)
        dm.log_metric("log_loss", 0.40)
    with dm.start_run("big", experiment="cancer") as big_run:
        big = pipe(30).fit(_numeric(X_train), y_train)
        dm.log_params({"n_estimators": 30})
        dm.log_metric("acc", 0.95)
        dm.log_metric("log_loss", 0.50)
    dm.register_model(big_run, "cancer", model=big)
    X_eval = X_test.assign(cohort=X_test["cohort"])
    card = dm.model_card(
        "cancer@1",
        intended_use="Triage <script>alert(1)</script> only",
        limitations="Trained on | one hospital",
        model=big,  # fitted without the cohort column, which X still carries
        X=X_eval,
        y=y_test,
        sensitive="cohort",
    )
    markdown = card.to_markdown(tmp_path / "card.md")
    assert (tmp_path / "card.md").read_text() == markdown
    assert "| acc | 0.95 | higher | 0.8 | small | 0.15 | better |" in markdown
    assert "| log\\_loss | 0.5 | lower | 0.4 | small | 0.1 | worse |" in markdown
    assert "## Performance by cohort" in markdown and "| large |" in markdown
    assert "Trained on \\| one hospital" in markdown
    assert "## Feature importance" in markdown
    html = card.to_html(tmp_path / "card.html")
    assert html.startswith("<!DOCTYPE html>") and "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'id="dsm-' in html and "http" not in html.split("<body>")[1]
    assert "no data versions are recorded" in markdown
    assert small is not None


def test_model_card_of_an_unknown_subject_is_one_line(dsmagic_home):
    with pytest.raises(dm.NotFoundError, match="neither a run id nor a registered model"):
        dm.model_card("nothing-here")
    with pytest.raises(dm.DsmagicError, match="sensitive column 'sex' is not in X"):
        with dm.start_run() as run:
            pass
        model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
        import pandas as pd

        dm.model_card(
            run, model=model, X=pd.DataFrame({"a": [0.0, 1.0]}), y=[0, 1], sensitive="sex"
        )


def test_autolog_logs_fits_and_search_candidates_then_switches_off(dsmagic_home, cancer):
    X_train, _, y_train, _ = cancer
    X = _numeric(X_train)
    dm.autolog()
    try:
        RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y_train)
        search = GridSearchCV(
            RandomForestClassifier(n_estimators=3, random_state=0), {"max_depth": [2, 3, 4]}, cv=2
        )
        search.fit(X, y_train)
    finally:
        dm.autolog(False)
    RandomForestClassifier(n_estimators=2).fit(X, y_train)  # off: no run
    runs = dm.search_runs()
    top = runs[runs["parent_run_id"].isna()]
    assert sorted(top["run_name"]) == ["GridSearchCV", "RandomForestClassifier"]
    forest = dm.get_run(top.set_index("run_name").loc["RandomForestClassifier", "run_id"])
    assert forest.params["n_estimators"] == "5"
    assert 0.9 < forest.metrics["training_accuracy"] <= 1.0
    assert {"training_f1", "training_precision", "training_recall"} <= forest.metrics.keys()
    assert isinstance(dm.register_model(forest, "auto").load(), RandomForestClassifier)
    search_run = dm.get_run(top.set_index("run_name").loc["GridSearchCV", "run_id"])
    candidates = runs[runs["parent_run_id"] == search_run.id]
    assert len(candidates) == 3
    assert set(candidates["params.max_depth"]) == {"2", "3", "4"}
    assert "best_max_depth" in search_run.params and "best_cv_score" in search_run.metrics
    assert {a["name"] for a in search_run.artifacts} == {"cv_results.csv", "model"}


def test_autolog_stays_out_of_tuning_trials(dsmagic_home, cancer):
    X, y = _numeric(cancer[0]), cancer[2]

    def objective(depth):
        return RandomForestClassifier(n_estimators=3, max_depth=depth).fit(X, y).score(X, y)

    dm.autolog()
    try:
        result = dm.tune(objective, {"depth": (1, 4)}, n_trials=2, plots=False)
    finally:
        dm.autolog(False)
    parent = dm.get_run(result.parent_run_id)
    assert "model" not in {a["name"] for a in parent.artifacts}
    assert "n_estimators" not in parent.params
    assert len(dm.search_runs()) == 3  # the parent and its two trials
