"""A column's values in order, found once and shared by every order statistic
(quantiles, distinct count, most frequent values, histogram, Tukey's fences).

Integers in a narrow range (counts, codes, ids, rounded ages, daily dates) are
counted per value with ``bincount``, which is O(n) and several times faster than a
sort; anything else is sorted once. Either way the result is exact.
"""

from __future__ import annotations

import math
from typing import Any

_MIN_COUNTED = 1_000  # below this a sort is as fast as counting
_SPAN_PER_VALUE = 2  # count when the value range is at most this many slots per value


class Ordered:
    """The distinct values of a column in ascending order, with how often each occurs.

    ``values`` is either every value sorted (``counts`` None: each occurrence is its own
    entry) or each distinct value once (``counts`` its multiplicities).
    """

    def __init__(self, values, counts=None) -> None:
        import numpy as np

        self.values = values
        self.counts = counts
        if counts is None:
            self.n = len(values)
            self._before = None
        else:
            self._before = np.concatenate(([0], np.cumsum(counts)))
            self.n = int(self._before[-1])

    @classmethod
    def of(cls, native) -> Ordered:
        """As they are when already in order (ids, timestamps), counted when they are
        integers in a narrow range, sorted otherwise."""
        import numpy as np

        if _ascending(native):
            return cls(native)
        counted = _count(native)
        if counted is not None:
            return cls(*counted)
        return cls(np.sort(native))

    def runs(self):
        """Each distinct value once, ascending, and its number of occurrences."""
        import numpy as np

        if self.counts is not None:
            return self.values, self.counts
        x = self.values
        if len(x) == 0:
            return x, np.zeros(0, dtype=np.int64)
        change = x[1:] != x[:-1]
        if change.all():  # every value distinct (a continuous column): counts of 1, as a
            return x, np.broadcast_to(np.int64(1), x.shape)  # view, not a column-sized array
        starts = np.concatenate(([0], np.flatnonzero(change) + 1))
        return x[starts], np.diff(np.append(starts, len(x)))

    def at(self, position: int):
        """The value at ``position`` of the sorted column."""
        import numpy as np

        before = self._before
        if before is None:
            return self.values[position]
        return self.values[int(np.searchsorted(before, position, side="right")) - 1]

    def rank(self, points, side: str = "left"):
        """How many values are below ``points`` (``side="right"``: at or below)."""
        import numpy as np

        at = np.searchsorted(self.values, points, side=side)
        return at if self._before is None else self._before[at]

    def quantile(self, q: float) -> float:
        """``np.quantile(values, q)`` (linear method, numpy's own interpolation formula)."""
        position = q * (self.n - 1)
        below = math.floor(position)
        above = min(below + 1, self.n - 1)
        gamma = position - below
        a, b = float(self.at(below)), float(self.at(above))
        difference = b - a
        return b - difference * (1 - gamma) if gamma >= 0.5 else a + difference * gamma


def _ascending(native) -> bool:
    """Whether the values are already in ascending order (the first thousand decide most
    columns at once)."""
    head = native[:_MIN_COUNTED]
    if not (head[1:] >= head[:-1]).all():
        return False
    return bool((native[1:] >= native[:-1]).all())


def _count(native):
    """(distinct values, counts) for integers in a narrow range, else None.

    Integer-valued floats count too; values sharing a common step (dates at midnight,
    prices in whole hundreds) are counted in units of that step."""
    import numpy as np

    n = len(native)
    if n < _MIN_COUNTED:
        return None
    if native.dtype.kind == "f":
        head = native[:_MIN_COUNTED]
        if not np.array_equal(head, np.floor(head)):
            return None  # a fractional value: a continuous column, settled at once
    low, high = native.min(), native.max()
    if native.dtype.kind == "f":
        if not (abs(low) < 2**53 and abs(high) < 2**53):
            return None
        if high - low > 2**40 or not np.array_equal(native, np.floor(native)):
            return None
        ints = native.astype(np.int64)
    elif native.dtype.kind in "iu" and native.dtype.itemsize <= 8:
        if int(high) - int(low) >= 2**62:
            return None
        ints = native.astype(np.int64, copy=False)
    else:
        return None
    low_int = int(low)
    offsets = ints - low_int
    span = int(high) - low_int
    step = 1
    if span > _SPAN_PER_VALUE * n:
        step = int(np.gcd.reduce(offsets))
        if step <= 1 or span // step > _SPAN_PER_VALUE * n:
            return None
        offsets = offsets // step
    counts = np.bincount(offsets)
    present = np.flatnonzero(counts)
    values = (present * step + low_int).astype(native.dtype, copy=False)
    return values, counts[present]


def moments(ordered: Ordered) -> dict[str, Any]:
    """mean, std (ddof=1), variance, and pandas' bias-corrected skewness and excess
    kurtosis, as ``Series.mean/std/var/skew/kurt`` define them."""
    import numpy as np

    count = ordered.n
    nan = math.nan
    if count == 0:
        return dict(mean=nan, std=nan, variance=nan, skewness=nan, kurtosis=nan)
    x = ordered.values.astype("float64", copy=False)
    weights = None
    if ordered.counts is not None and len(ordered.counts) < count:
        weights = ordered.counts.astype("float64")

    def total(values) -> float:
        # numpy's pairwise summation, as pandas uses (a BLAS dot product is less exact)
        return float(values.sum() if weights is None else (values * weights).sum())

    mean = total(x) / count
    d = x - mean
    d2 = d * d
    variance = total(d2) / (count - 1) if count > 1 else nan
    # a second pass removes the rounding error left in the mean (as pandas' moments do)
    d -= total(d) / count
    np.multiply(d, d, out=d2)
    m2 = total(d2)
    m3 = total(np.multiply(d2, d, out=d))  # in place: no new arrays of the column's size
    m4 = total(np.multiply(d2, d2, out=d2))
    skew = kurt = nan
    if count >= 3 and m2 > 0:
        skew = (count * (count - 1) ** 0.5 / (count - 2)) * (m3 / m2**1.5)
    if count >= 4 and m2 > 0:
        adjust = 3 * (count - 1) ** 2 / ((count - 2) * (count - 3))
        kurt = count * (count + 1) * (count - 1) * m4 / ((count - 2) * (count - 3) * m2**2)
        kurt -= adjust
    return dict(
        mean=mean,
        std=math.sqrt(variance) if variance == variance else nan,
        variance=variance,
        skewness=skew,
        kurtosis=kurt,
    )


def top(values, counts, limit: int, convert) -> list[list[Any]]:
    """The ``limit`` most frequent values, ties in ascending value order."""
    import numpy as np

    if len(values) == 0:
        return []
    k = min(limit, len(values))
    if counts[0] == 1 and len(values) == counts.sum():  # every value once: the smallest k
        return [[convert(v), 1] for v in values[:k]]
    # only the candidates reaching the k-th largest count are sorted (a continuous column
    # has a million distinct values)
    kth = np.partition(counts, len(counts) - k)[len(counts) - k]
    candidates = np.flatnonzero(counts >= kth)
    order = candidates[np.argsort(-counts[candidates], kind="stable")][:k]
    return [[convert(values[i]), int(counts[i])] for i in order]


def histogram_counts(ordered: Ordered, edges):
    """Counts in ``len(edges) - 1`` bins, each closed on the left, the last also on the right."""
    import numpy as np

    cuts = ordered.rank(edges[1:-1], side="left")
    return np.diff(np.concatenate(([0], cuts, [ordered.n])))
