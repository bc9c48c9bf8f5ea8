"""The one step whose parameter is code. It is marked as custom code in the catalog, in
validation (a warning), in every export (a banner) and by the runner (opt-in)."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import Port, StepSpec, string

BANNER = "# CUSTOM CODE written by the pipeline author; dsmagic runs it as is."


def _custom(c) -> str:
    return (
        f"{BANNER}\n"
        f"df = {c.i('df')}.copy()\n"
        f"{c.params['code'].strip()}\n"
        f"{c.out('df')} = df\n"
        "# END OF CUSTOM CODE"
    )


SPECS = [
    StepSpec(
        type="custom_code",
        category="custom",
        title="Custom code (runs your code)",
        doc="CUSTOM CODE: your Python runs as written, with the input table as `df`; leave the "
        "result in `df`. Not checked or sandboxed by dsmagic.",
        short="custom",
        inputs=(Port("data", "frame", doc="the table, as df"),),
        outputs=(Port("data", "frame", doc="df after your code"),),
        params={"code": string("df = df", "Python code; read and assign `df`", minLength=1)},
        requires=("pandas",),
        custom_code=True,
        cacheable=False,
        code=_custom,
    ),
]
