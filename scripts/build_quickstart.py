"""Write examples/quickstart.ipynb (run: .venv/bin/python scripts/build_quickstart.py)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    new_markdown_cell(
        "# dsmagic quickstart: experiment tracking\n\n"
        "Everything is stored in `./.dsmagic/` next to this notebook (a SQLite file and an "
        "`artifacts/` folder). Set `DSMAGIC_URI` to use a PostgreSQL server instead."
    ),
    new_code_cell("%load_ext dsmagic\nimport dsmagic as dm"),
    new_markdown_cell(
        "## A run driven by magics\n\n"
        "`%start_run` starts a run; every cell you execute while it is active is recorded "
        "with it, together with the Python version, installed packages and git state."
    ),
    new_code_cell(
        "import pickle\n\n"
        "from sklearn.datasets import load_breast_cancer\n"
        "from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier\n"
        "from sklearn.model_selection import train_test_split\n\n"
        "X, y = load_breast_cancer(return_X_y=True)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)"
    ),
    new_code_cell("%start_run baseline --experiment quickstart --tag owner=ana"),
    new_code_cell("%log_param model=rf n_estimators=50"),
    new_code_cell(
        "model = RandomForestClassifier(n_estimators=50, random_state=0).fit(X_train, y_train)\n"
        "acc = model.score(X_test, y_test)\n"
        "dm.log_metric('acc', acc)\n"
        "with open('model.pkl', 'wb') as handle:\n"
        "    pickle.dump(model, handle)"
    ),
    new_code_cell("%log_artifact model.pkl"),
    new_code_cell("%end_run"),
    new_markdown_cell(
        "## The same from Python\n\n"
        "Used as a context manager, a run ends as `finished`, or `failed` if the block raises. "
        "Metrics logged without a step get the next step of their key, so curves just work."
    ),
    new_code_cell(
        "with dm.start_run('boosting', tags={'owner': 'bo'}) as run:\n"
        "    dm.log_params({'model': 'gbm', 'n_estimators': 100, 'learning_rate': 0.1})\n"
        "    gbm = GradientBoostingClassifier(\n"
        "        n_estimators=100, learning_rate=0.1, random_state=0\n"
        "    )\n"
        "    gbm.fit(X_train, y_train)\n"
        "    for step, proba in enumerate(gbm.staged_predict_proba(X_test)):\n"
        "        if step % 10 == 0:\n"
        "            dm.log_metric('acc', ((proba[:, 1] > 0.5) == y_test).mean(), step=step)\n"
        "    dm.log_metric('acc', gbm.score(X_test, y_test), step=100)\n"
        "run"
    ),
    new_markdown_cell(
        "## Nested runs for a small sweep\n\n"
        "`nested=True` (or `%start_run --nested`) starts a child of the active run."
    ),
    new_code_cell(
        "with dm.start_run('depth-sweep'):\n"
        "    for depth in (2, 4, 8):\n"
        "        with dm.start_run(f'depth-{depth}', nested=True):\n"
        "            dm.log_params({'model': 'rf', 'max_depth': depth})\n"
        "            forest = RandomForestClassifier(n_estimators=30, max_depth=depth, "
        "random_state=0)\n"
        "            dm.log_metric('acc', forest.fit(X_train, y_train).score(X_test, y_test))"
    ),
    new_markdown_cell(
        "## Search and compare\n\n"
        "Filters use MLflow's syntax, plus `or` and parentheses. The result of "
        "`dm.search_runs` is a pandas DataFrame."
    ),
    new_code_cell("%runs metrics.acc > 0.9 and (params.model = 'rf' or params.model = 'gbm')"),
    new_code_cell(
        "runs = dm.search_runs(\"params.model = 'rf' and params.max_depth >= 4\", "
        "order_by='metrics.acc DESC')\n"
        "runs[['run_name', 'metrics.acc', 'params.max_depth']]"
    ),
    new_code_cell(
        "best = dm.search_runs(order_by='metrics.acc DESC', max_results=2)\n"
        "dm.compare_runs(best['run_id'].tolist())"
    ),
    new_markdown_cell("## What was recorded for reproducibility"),
    new_code_cell(
        "baseline = dm.search_runs(\"run_name = 'baseline'\")['run_id'][0]\n"
        "for cell in dm.get_cells(baseline):\n"
        "    print(f\"In [{cell['execution_count']}]:\", cell['source'].splitlines()[0])\n"
        "env = dm.get_environment(baseline)\n"
        "print('python', env['python']['version'], '| scikit-learn', "
        "env['packages'].get('scikit-learn'))"
    ),
]


def main() -> None:
    notebook = new_notebook(
        cells=CELLS,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    target = Path(__file__).parents[1] / "examples" / "quickstart.ipynb"
    nbformat.write(notebook, target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
