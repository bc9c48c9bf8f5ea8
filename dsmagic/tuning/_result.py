"""What ``dm.tune`` returns: best parameters, the spread of the top trials, and plots."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._html import esc, figure_svg, format_value, table

TOP = 5


def _states():
    from optuna.trial import TrialState

    return TrialState


class TuneResult(RichDisplay):
    """A finished (or interrupted) tuning: wraps the Optuna study, linked to its runs."""

    _display_kind = "tuning-result"

    def __init__(self, study, client, parent_run_id: str, metric: str, failures, seconds) -> None:
        self.study = study
        self.client = client
        self.parent_run_id = parent_run_id
        self.metric = metric
        self.failures = list(failures)
        self.seconds = seconds
        self._trials = None
        self._importances: dict[str, float] | None = None
        self._best_run_id: str | None = None
        self._svgs: dict[str, str | None] = {}

    # -- the numbers ---------------------------------------------------------------------
    @property
    def study_name(self) -> str:
        return self.study.study_name

    @property
    def direction(self) -> str:
        return self.study.direction.name.lower()

    def _all(self):
        if self._trials is None:
            self._trials = self.study.get_trials(deepcopy=False)
        return self._trials

    def _complete(self):
        state = _states().COMPLETE
        return [t for t in self._all() if t.state == state]

    @property
    def n_complete(self) -> int:
        return len(self._complete())

    @property
    def n_failed(self) -> int:
        return sum(t.state == _states().FAIL for t in self._all())

    @property
    def n_pruned(self) -> int:
        return sum(t.state == _states().PRUNED for t in self._all())

    @property
    def best_trial(self):
        from dsmagic.errors import DsmagicError

        complete = self._complete()
        if not complete:
            raise DsmagicError(f"study {self.study_name!r} has no completed trial yet")
        pick = max if self.direction == "maximize" else min
        return pick(complete, key=lambda t: t.value)

    @property
    def best_params(self) -> dict[str, Any]:
        return dict(self.best_trial.params)

    @property
    def best_value(self) -> float:
        return float(self.best_trial.value)

    @property
    def best_run_id(self) -> str | None:
        if self._best_run_id is None:
            from dsmagic.tuning._tune import _find_run_id

            self._best_run_id = _find_run_id(
                self.client, self.parent_run_id, self.best_trial.number
            )
        return self._best_run_id

    def trials_frame(self):
        """Every trial: number, state, value, params, duration."""
        return self.study.trials_dataframe(attrs=("number", "state", "value", "params", "duration"))

    def top(self, k: int = TOP):
        """The ``k`` best completed trials, best first."""
        import pandas as pd

        complete = sorted(
            self._complete(), key=lambda t: t.value, reverse=self.direction == "maximize"
        )[:k]
        rows = [{"trial": t.number, self.metric: t.value, **t.params} for t in complete]
        return pd.DataFrame(rows)

    def spread(self, k: int = TOP) -> dict[str, str]:
        """How much each parameter varies among the top ``k`` trials (robustness of the best)."""
        frame = self.top(k)
        out = {}
        for name in self.best_params:
            values = frame[name].dropna().tolist() if name in frame else []
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            if values and len(numbers) == len(values):
                low, high = min(numbers), max(numbers)
                out[name] = (
                    format_value(low)
                    if low == high
                    else f"{format_value(low)} to {format_value(high)}"
                )
            else:
                counts: dict[str, int] = {}
                for v in values:
                    counts[str(v)] = counts.get(str(v), 0) + 1
                out[name] = ", ".join(
                    f"{v} x{n}" for v, n in sorted(counts.items(), key=lambda x: -x[1])
                )
        return out

    def importances(self) -> dict[str, float]:
        """Optuna's parameter importances (fANOVA); empty when there is too little to go on."""
        if self._importances is None:
            import optuna

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._importances = dict(optuna.importance.get_param_importances(self.study))
            except Exception:
                self._importances = {}
        return self._importances

    # -- plots (Optuna's own) ------------------------------------------------------------
    def _plot(self, which: str):
        import matplotlib.pyplot as plt
        import optuna.visualization.matplotlib as ov

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if which == "convergence":
                axes = ov.plot_optimization_history(self.study, target_name=self.metric)
            else:
                if len(self.importances()) < 1:
                    return None
                axes = ov.plot_param_importances(self.study)
        figure = axes.figure
        figure.set_size_inches(6.4, 3.6)
        # Created through pyplot by Optuna: detach so the notebook does not show it twice.
        plt.close(figure)
        return figure

    def _svg(self, which: str) -> str | None:
        # Optuna recomputes importances for its plot: draw each plot once per result.
        if which not in self._svgs:
            try:
                figure = self._plot(which)
            except Exception:
                figure = None
            self._svgs[which] = figure_svg(figure) if figure is not None else None
        return self._svgs[which]

    def plot_convergence(self):
        """Optuna's optimisation history: every trial's value and the best so far."""
        return self._plot("convergence")

    def plot_importance(self):
        """Optuna's parameter-importance bar chart (None with too few trials)."""
        return self._plot("importance")

    # -- recording on the parent run ------------------------------------------------------
    def _record(self, plots: bool) -> None:
        run_id = self.parent_run_id
        metrics = {
            "n_complete": self.n_complete,
            "n_failed": self.n_failed,
            "n_pruned": self.n_pruned,
        }
        tags: dict[str, Any] = {"dsmagic.study": self.study_name}
        if self.n_complete:
            best = self.best_trial
            metrics[f"best_{self.metric}"] = best.value
            tags["dsmagic.best_trial"] = best.number
            if self.best_run_id:
                tags["dsmagic.best_run_id"] = self.best_run_id
            self.client.log_params(run_id, {f"best.{k}": v for k, v in best.params.items()})
        self.client.log_metrics(run_id, metrics)
        self.client.set_tags(run_id, tags)
        if not plots or not self.n_complete:
            return
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "best_params.json").write_text(
                json.dumps(
                    {
                        "value": self.best_value,
                        "params": self.best_params,
                        "spread_top5": self.spread(),
                        "importances": self.importances(),
                    },
                    indent=2,
                    default=str,
                )
            )
            self.trials_frame().to_csv(root / "trials.csv", index=False)
            for which in ("convergence", "importance"):
                try:
                    figure = self._plot(which)
                except Exception:
                    figure = None
                if figure is not None:
                    figure.savefig(root / f"{which}.png", dpi=100, bbox_inches="tight")
            self.client.log_artifact(run_id, root, "tuning")

    # -- display -------------------------------------------------------------------------
    def __repr__(self) -> str:
        best = f"best {self.metric}={self.best_value:.6g}" if self.n_complete else "no result"
        return f"<TuneResult {self.study_name!r} {best} trials={len(self._all())}>"

    def _display_text(self) -> str:
        lines = [
            f"Study {self.study_name} ({self.direction} {self.metric}) — "
            f"{self.n_complete} complete, {self.n_pruned} pruned, {self.n_failed} failed "
            f"in {self.seconds:.1f} s; parent run {self.parent_run_id}"
        ]
        if self.n_complete:
            lines.append(
                f"  best {self.metric}: {self.best_value:.6g} (trial {self.best_trial.number})"
            )
            spread = self.spread()
            for key, value in self.best_params.items():
                lines.append(f"  {key} = {value!r}   (top {TOP}: {spread.get(key, '')})")
            if self.importances():
                shown = ", ".join(f"{k} {v:.2f}" for k, v in self.importances().items())
                lines.append(f"  importance: {shown}")
        for failure in self.failures[:3]:
            lines.append(f"  failed {failure}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self._display_text())

    def _display_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "study": self.study_name, "direction": self.direction, "metric": self.metric,
            "complete": self.n_complete, "pruned": self.n_pruned, "failed": self.n_failed,
            "seconds": self.seconds, "parent_run_id": self.parent_run_id,
            "failures": [str(f) for f in self.failures],
        }  # fmt: skip
        if self.n_complete:
            data.update(best_value=self.best_value, best_trial=self.best_trial.number,
                        best_params=self.best_params, spread=self.spread(),
                        importances=self.importances())  # fmt: skip
        return data

    def _display_css(self) -> str:
        return (
            "#SCOPE .dsm-plots { display: flex; flex-wrap: wrap; gap: 8px; } "
            "#SCOPE .dsm-plot svg { max-width: 480px; height: auto; }"
        )

    def _display_html(self) -> str:
        parts = [
            f'<div class="dsm-title">Study {esc(self.study_name)}</div>'
            f'<div class="dsm-muted">{esc(self.direction)} {esc(self.metric)} · '
            f"{self.n_complete} complete · {self.n_pruned} pruned · {self.n_failed} failed · "
            f"{self.seconds:.1f} s · parent run <code>{esc(self.parent_run_id[:8])}</code></div>"
        ]
        if self.n_complete:
            spread = self.spread()
            importances = self.importances()
            parts.append(
                f"<div>best {esc(self.metric)} "
                f"<strong>{esc(format_value(self.best_value))}</strong> "
                f"(trial {self.best_trial.number})</div>"
            )
            rows = [
                (k, v, spread.get(k, ""), importances.get(k, ""))
                for k, v in self.best_params.items()
            ]
            parts.append(
                table(["parameter", "best", f"top {TOP} range", "importance"], rows, numeric=[3])
            )
            figures = [
                f'<div class="dsm-plot">{svg}</div>'
                for svg in (self._svg("convergence"), self._svg("importance"))
                if svg
            ]
            if figures:
                parts.append('<div class="dsm-plots">' + "".join(figures) + "</div>")
        if self.failures:
            items = "".join(f"<li>{esc(f)}</li>" for f in self.failures[:10])
            parts.append(
                f'<details><summary class="dsm-bad">{len(self.failures)} failed trial(s)</summary>'
                f"<ul>{items}</ul></details>"
            )
        return "".join(parts)
