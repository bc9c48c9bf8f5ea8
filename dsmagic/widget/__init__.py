"""The pipeline canvas: an editor widget over :class:`dsmagic.pipeline.Pipeline`.

>>> import dsmagic as dm
>>> canvas = dm.Canvas("churn.dspipe.json")   # doctest: +SKIP
"""

from __future__ import annotations

from dsmagic.widget._canvas import Canvas

__all__ = ["Canvas"]
