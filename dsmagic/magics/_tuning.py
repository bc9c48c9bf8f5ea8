"""``%tune``, ``%explain``, ``%register_model`` and ``%models``: the notebook side of
tuning, explanations and the model registry."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dsmagic.errors import DsmagicError
from dsmagic.magics._parsing import lookup_variable, parse_arguments, user_namespace


@magics_class
class TuningMagics(Magics):
    @magic_arguments()
    @argument("objective", help="Name of the objective function.")
    @argument(
        "--space",
        "-s",
        default=None,
        metavar="VAR",
        help="Name of a dict variable with the search space.",
    )
    @argument("--n-trials", "-n", type=int, default=None, help="Number of trials (default 20).")
    @argument("--timeout", type=float, default=None, help="Stop after this many seconds.")
    @argument("--direction", "-d", default="minimize", help="minimize or maximize.")
    @argument("--metric", "-m", default="value", help="Name of the optimised metric.")
    @argument("--sampler", default="tpe", help="tpe, random or grid.")
    @argument("--pruner", default="median", help="median, hyperband, successive_halving, none.")
    @argument("--seed", type=int, default=None)
    @argument("--n-jobs", "-j", type=int, default=1, help="Trials in parallel threads.")
    @argument(
        "--early-stop",
        type=int,
        default=None,
        metavar="N",
        help="Stop when N trials in a row bring no improvement.",
    )
    @argument("--study-name", default=None, help="Join or create this study (shared by workers).")
    @argument("--experiment", "-e", default=None)
    @argument("--name", default=None, help="Name of the parent run.")
    @line_magic
    def tune(self, line: str = ""):
        """Tune an objective with Optuna; every trial is a nested run of one parent run.

        The result is shown and stored in the variable ``_tune``.

        Examples:
          %tune objective --space space -n 50 -d maximize
          %tune objective -n 100 --sampler random --early-stop 20 --study-name churn-rf
        """
        args = parse_arguments(self.tune, line)
        from dsmagic.tuning import tune

        namespace = user_namespace(self)
        objective = lookup_variable(namespace, args.objective, "the objective")
        space = lookup_variable(namespace, args.space, "--space") if args.space else None
        result = tune(
            objective,
            space,
            n_trials=args.n_trials,
            timeout=args.timeout,
            direction=args.direction,
            metric=args.metric,
            sampler=args.sampler,
            pruner=args.pruner,
            seed=args.seed,
            n_jobs=args.n_jobs,
            early_stop=args.early_stop,
            study_name=args.study_name,
            experiment=args.experiment,
            name=args.name,
        )
        namespace["_tune"] = result
        return result

    @magic_arguments()
    @argument("model", help="Name of the fitted model variable.")
    @argument("X", help="Name of the frame of rows to explain.")
    @argument("--row", type=int, default=None, help="Also explain this row (position).")
    @argument("--dependence", default=None, metavar="FEATURE", help="Show a dependence plot.")
    @line_magic
    def explain(self, line: str = ""):
        """SHAP explanation of a model on rows of a frame; stored in ``_explanation``.

        Examples:
          %explain model X_test
          %explain model X_test --row 3 --dependence age
        """
        args = parse_arguments(self.explain, line)
        from IPython.display import display

        from dsmagic.explain import explain

        namespace = user_namespace(self)
        model = lookup_variable(namespace, args.model, "the model")
        frame = lookup_variable(namespace, args.X, "the frame")
        explanation = explain(model, frame)
        namespace["_explanation"] = explanation
        if args.dependence:
            display(explanation.dependence_plot(args.dependence))
        if args.row is not None:
            display(explanation.explain_row(args.row))
        return explanation

    @magic_arguments()
    @argument("name", help="Registered model name.")
    @argument("--run", "-r", default=None, help="Run id (default: the active or last run).")
    @argument("--model", default=None, metavar="VAR", help="Model variable to save and register.")
    @argument("--alias", "-a", default=None, help="Also point this alias at the new version.")
    @argument("--description", default="", help="What this version is.")
    @line_magic
    def register_model(self, line: str = ""):
        """Register a run's model as the next version of ``name``.

        Examples:
          %register_model churn --model clf --alias staging
          %register_model churn --run 1a2b3c4d
        """
        args = parse_arguments(self.register_model, line)
        from dsmagic.models import register_model, set_alias
        from dsmagic.tracking import active_run, search_runs

        current = active_run()
        run = args.run or (current.id if current is not None else None)
        if run is None:
            latest = search_runs(order_by="start_time DESC", max_results=1)
            if latest.empty:
                raise DsmagicError("no run to register from: start a run or pass --run RUN_ID")
            run = latest["run_id"].iloc[0]
        model = lookup_variable(user_namespace(self), args.model, "--model") if args.model else None
        version = register_model(run, args.name, model, description=args.description)
        if args.alias:
            version = set_alias(args.name, version.version, args.alias)
        print(f"registered {version.uri}" + (f" as {args.alias}" if args.alias else ""))
        return version

    @line_magic
    def models(self, line: str = ""):
        """Registered models (``%models``) or the versions of one (``%models churn``)."""
        from dsmagic.models import list_models, model_versions

        name = line.strip()
        if not name:
            return list_models()
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "version": v.version,
                    "aliases": ", ".join(v.aliases),
                    "run_id": v.run_id,
                    "class": v.model_class,
                    "description": v.description,
                    "created_at": pd.to_datetime(v.created_at, unit="s"),
                }
                for v in model_versions(name)
            ]
        )
