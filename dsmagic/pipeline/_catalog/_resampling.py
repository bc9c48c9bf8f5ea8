"""Over-sampling from imbalanced-learn. Resamplers run inside an imbalanced-learn Pipeline,
so only training rows are resampled."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    DATASET_IN,
    DATASET_OUT,
    StepSpec,
    choice,
    integer,
)

_STRATEGY = choice(["auto", "minority", "not majority", "all"], "auto",
                   "which classes to over-sample")  # fmt: skip


def _sampler(kind: str, cls: str, title: str, doc: str, neighbours: str, extra=None):
    params = {neighbours: integer(5, "nearest neighbours used to synthesise samples", minimum=1),
              "sampling_strategy": _STRATEGY, **(extra or {})}  # fmt: skip

    def code(c) -> str:
        args = ", ".join(f"{k}={c.p(k)}" for k in params)
        return f"{c.out('prep')} = {cls}({args}, random_state=SEED)"

    return StepSpec(
        type=kind,
        category="resampling",
        title=title,
        doc=doc,
        short="resample",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params=params,
        imports=(f"from imblearn.over_sampling import {cls}",),
        requires=("imbalanced-learn",),
        role="prep",
        resampler=True,
        code=code,
    )


SPECS = [
    _sampler("smote", "SMOTE", "SMOTE", "Synthesise minority samples between neighbours.",
             "k_neighbors"),
    _sampler("adasyn", "ADASYN", "ADASYN",
             "Synthesise more samples where the minority class is harder to learn.",
             "n_neighbors"),
    _sampler("borderline_smote", "BorderlineSMOTE", "Borderline SMOTE",
             "SMOTE on minority samples near the class border.", "k_neighbors",
             {"kind": choice(["borderline-1", "borderline-2"], "borderline-1", "variant")}),
]  # fmt: skip
