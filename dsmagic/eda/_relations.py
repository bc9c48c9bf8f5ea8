"""Pairwise relations: Pearson and Spearman (numeric pairs), Cramér's V (categorical
pairs), the correlation ratio η (categorical-numeric), and association with a target.

Like pandas' ``DataFrame.corr``, each pair uses the rows where both values are present
(infinities count as missing); Spearman ranks are re-computed on those rows with ties
averaged, so results equal ``df.corr(method="spearman")``.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from dsmagic.eda import _thresholds as T

NUMERIC_KINDS = {"numeric"}
CATEGORICAL_KINDS = {"categorical", "boolean"}


# -- column encodings ------------------------------------------------------------------


def numeric_values(series):
    """float64 values with NaN for missing values and infinities."""
    import numpy as np
    import pandas as pd
    from pandas.api import types

    if types.is_timedelta64_dtype(series.dtype):
        values = series.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    elif types.is_numeric_dtype(series.dtype) and not types.is_object_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if not values.flags.writeable:
        values = values.copy()
    values[np.isinf(values)] = np.nan
    return values


def category_codes(series):
    """Integer codes 0..k-1 (-1 for missing) and k."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype("int64", copy=False), len(uniques)


# -- statistics of pairs ---------------------------------------------------------------


def pairwise_pearson(columns):
    """Pearson matrix of 1-D float arrays (NaN or ±inf = missing), each pair on the rows
    where both are present, as ``DataFrame.corr()``.

    Every column is shifted by its own mean and zeroed where missing, in one F-ordered
    matrix; with one presence indicator per missing-value pattern, four matrix products
    give every pair's count, sums, sums of squares and cross products over its common
    rows at once. A pair where a column is (nearly) constant on those rows, where the
    shift could leave rounding in place of a zero spread, is computed exactly on its
    own."""
    import numpy as np

    k = len(columns)
    n = len(columns[0]) if k else 0
    present = [np.isfinite(values) for values in columns]
    patterns, pattern_of = _patterns(present)
    shifted = np.empty((n, k), order="F")
    for j, (values, mask) in enumerate(zip(columns, present)):
        complete = patterns[pattern_of[j]] is None
        chosen = values if complete else values[mask]
        mean = float(chosen.mean()) if len(chosen) else 0.0
        np.subtract(values, mean, out=shifted[:, j])
        if not complete:
            shifted[~mask, j] = 0.0
    indicators = np.empty((n, len(patterns)), order="F")
    for p, mask in enumerate(patterns):
        indicators[:, p] = 1.0 if mask is None else mask
    with np.errstate(all="ignore"):
        products = _products(shifted, shifted)
        sums = _products(shifted, indicators)
        np.multiply(shifted, shifted, out=shifted)
        squares = _products(shifted, indicators)
        counts = _products(indicators, indicators)
        count = counts[np.ix_(pattern_of, pattern_of)]
        s = sums[:, pattern_of]  # s[i, j]: sum of column i over the rows of pair (i, j)
        q = squares[:, pattern_of]
        spread = q - s * s / count  # column i's sum of squared deviations on (i, j)'s rows
        result = (products - s * s.T / count) / np.sqrt(spread * spread.T)
        result = np.clip(result, -1.0, 1.0)
        doubtful = (spread <= _ROUNDING * q) | (spread.T <= _ROUNDING * q.T)
    result = np.triu(result, 1)
    result += result.T
    enough = count >= 2
    np.fill_diagonal(result, 1.0)
    result[~enough] = np.nan
    for i, j in zip(*np.nonzero(np.triu(doubtful & enough))):
        result[i, j] = result[j, i] = _exact_pearson(columns[i], columns[j], present[i],
                                                     present[j])  # fmt: skip
    return result


def _products(a, b):
    """``a.T @ b`` of two 2-D arrays. A product with a single column goes through numpy's
    own loop, not BLAS: OpenBLAS runs its vector kernels (dot, gemv) on threads that
    then spin for a tenth of a second, taking a core from the report's other jobs."""
    import numpy as np

    if a.shape[1] > 1 and b.shape[1] > 1:
        return a.T @ b
    return np.einsum("ij,ik->jk", a, b)


_ROUNDING = 1e-8  # a spread this small against the shifted sum of squares may be rounding


def _patterns(present):
    """The distinct missing-value patterns of columns given their presence masks: the
    masks (None for "every row present") and each column's pattern number."""
    import numpy as np

    masks: list = []
    seen: dict[bytes | None, int] = {}
    pattern_of = np.empty(len(present), dtype=np.int64)
    for j, mask in enumerate(present):
        key = None if mask.all() else np.packbits(mask).tobytes()
        if key not in seen:
            seen[key] = len(masks)
            masks.append(None if key is None else mask)
        pattern_of[j] = seen[key]
    return masks, pattern_of


def _exact_pearson(a, b, present_a, present_b) -> float:
    """Pearson of one pair on its common rows, centred on their own means; NaN when
    fewer than two rows or either column is constant on them (as pandas)."""

    both = present_a & present_b
    x, y = a[both], b[both]
    if len(x) < 2 or x.min() == x.max() or y.min() == y.max():
        return math.nan
    x = x - x.mean()
    y = y - y.mean()
    denominator = math.sqrt(float((x * x).sum()) * float((y * y).sum()))
    if denominator == 0:
        return math.nan
    return max(-1.0, min(1.0, float((x * y).sum()) / denominator))


def _average_ranks(sorted_values):
    import numpy as np

    if len(sorted_values) == 0:
        return np.zeros(0)
    starts = np.concatenate(([0], np.flatnonzero(sorted_values[1:] != sorted_values[:-1]) + 1))
    lengths = np.diff(np.append(starts, len(sorted_values)))
    return np.repeat(starts + (lengths + 1) / 2.0, lengths)


class Ranker:
    """Average ranks of one column (ties share their mean rank, NaN stays NaN), over all
    its values or only over chosen rows, as pandas' ``rank()`` would give on those rows.

    Columns with few distinct values are ranked by counting (O(n), no sort); others
    sort once and re-use that order for every subset of rows.
    """

    _COUNTING_MAX = 100_000

    def __init__(self, values, distinct: int | None = None) -> None:
        import numpy as np
        import pandas as pd

        self.values = values
        self.present = ~np.isnan(values)
        self.order = None
        self.codes = None
        if distinct is not None and distinct > len(values) // 4:
            # mostly distinct values (known from the column's statistics): one sort
            # costs less than hashing them first
            self._sort()
            return
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) <= self._COUNTING_MAX:
            # codes renumbered in value order, so counting gives ranks
            by_value = np.argsort(uniques)
            position = np.empty(len(uniques), dtype=np.int64)
            position[by_value] = np.arange(len(uniques))
            self.codes = np.where(codes >= 0, position[np.maximum(codes, 0)], -1)
            self.levels = len(uniques)
        else:
            self._sort()

    def _sort(self) -> None:
        import numpy as np

        if self.present.all():  # no missing value: no rows to pick first
            self.order = np.argsort(self.values)  # tie order does not matter
        else:
            rows = np.flatnonzero(self.present)
            self.order = rows[np.argsort(self.values[rows])]
        ordered = self.values[self.order]
        self.ties = bool((ordered[1:] == ordered[:-1]).any())
        # each row's place in the order: without ties, a row's rank among chosen rows
        # is how many chosen rows come up to its place
        self.place = np.zeros(len(self.values), dtype=np.int64)
        self.place[self.order] = np.arange(len(self.order))

    def ranks(self, keep=None):
        import numpy as np

        result = np.full(len(self.values), np.nan)
        if self.codes is not None:
            rows = self.present if keep is None else self.present & keep
            codes = self.codes[rows]
            counts = np.bincount(codes, minlength=self.levels)
            average = np.cumsum(counts) - counts + (counts + 1) / 2.0
            result[rows] = average[codes]
            return result
        rows = self.order if keep is None else self.order[keep[self.order]]
        result[rows] = _average_ranks(self.values[rows])
        return result

    def centred(self, keep, rows, out) -> None:
        """Write into ``out`` the ranks on the rows ``rows = flatnonzero(keep)`` (``keep``
        within the present values; None: every present value) minus their mean
        ``(len(rows) + 1) / 2``, as ``ranks(keep)[rows]`` would give. Average ranks
        sum to ``m (m + 1) / 2`` exactly, so the centring is exact (half-integers):
        a column constant on those rows gives exact zeros."""
        import numpy as np

        centre = (len(rows) + 1) / 2.0
        if self.codes is not None:
            codes = self.codes[rows]
            counts = np.bincount(codes, minlength=self.levels)
            average = np.cumsum(counts) - counts + (counts + 1) / 2.0 - centre
            np.take(average, codes, out=out)
            return
        if self.ties:
            chosen = self.order if keep is None else self.order[keep[self.order]]
            mask = self.present if keep is None else keep
            if len(rows) == len(mask):  # every row: positions are the rows themselves
                out[chosen] = _average_ranks(self.values[chosen]) - centre
            else:
                at = np.cumsum(mask) - 1  # each chosen row's place among ``rows``
                out[at[chosen]] = _average_ranks(self.values[chosen]) - centre
            return
        if keep is None:  # a row's rank among the present values is its place + 1
            np.subtract(self.place[rows], centre - 1.0, out=out)
            return
        upto = np.cumsum(keep[self.order], dtype=np.float64)
        upto -= centre
        np.take(upto, self.place[rows], out=out)


def pearson(a, b) -> float:
    """Pearson of two arrays on the rows where both are present."""
    import numpy as np

    return _exact_pearson(a, b, ~np.isnan(a), ~np.isnan(b))


def spearman(a, b, ranker_a=None, ranker_b=None) -> float:
    import numpy as np

    both = ~np.isnan(a) & ~np.isnan(b)
    ranker_a = Ranker(a) if ranker_a is None else ranker_a
    ranker_b = Ranker(b) if ranker_b is None else ranker_b
    return pearson(ranker_a.ranks(both), ranker_b.ranks(both))


def cramers_v(codes_a, levels_a: int, codes_b, levels_b: int) -> float:
    """Cramér's V of two coded columns (no continuity correction), pairwise complete."""
    import numpy as np

    both = (codes_a >= 0) & (codes_b >= 0)
    flat = codes_a[both] * levels_b + codes_b[both]
    table = np.bincount(flat, minlength=levels_a * levels_b).reshape(levels_a, levels_b)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0].astype("float64")
    total = table.sum()
    rows, columns = table.shape
    if total == 0 or min(rows, columns) < 2:
        return math.nan
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / (total * (min(rows, columns) - 1)))


def correlation_ratio(codes, levels: int, values) -> float:
    """η: the share of the numeric column's spread explained by the categories (sqrt)."""
    import numpy as np

    both = (codes >= 0) & ~np.isnan(values)
    if both.all():
        groups, x = codes, values
    else:
        groups, x = codes[both], values[both]
    if len(x) < 2:
        return math.nan
    counts = np.bincount(groups, minlength=levels)
    sums = np.bincount(groups, weights=x, minlength=levels)
    mean = x.mean()
    used = counts > 0
    between = float((counts[used] * (sums[used] / counts[used] - mean) ** 2).sum())
    total = float(((x - mean) ** 2).sum())
    if total <= 0:
        return math.nan
    return math.sqrt(min(1.0, between / total))


class Spread:
    """A numeric column's count, mean and sum of squares about the mean, kept for the
    correlation ratio against many categorical columns."""

    def __init__(self, values) -> None:
        import numpy as np

        self.values = values
        present = ~np.isnan(values)
        self.complete = bool(present.all())
        self.weights = None if self.complete else present.astype("float64")
        self.zeroed = values if self.complete else np.where(present, values, 0.0)
        x = values if self.complete else values[present]
        self.count = len(x)
        self.mean = float(x.mean()) if len(x) else math.nan
        self.total = float(((x - self.mean) ** 2).sum()) if len(x) else 0.0


def eta_row(codes, levels: int, spreads: list[Spread]) -> list[float]:
    """:func:`correlation_ratio` of one categorical column with each numeric column.

    Without missing categories the rows of a pair are the numeric column's own, so
    its mean and spread are computed once, and each pair costs a grouped sum."""
    import numpy as np

    if len(codes) and codes.min() < 0:
        # the rows of every pair lie within those with a category: select them once
        keep = codes >= 0
        kept = codes[keep]
        return [correlation_ratio(kept, levels, spread.values[keep]) for spread in spreads]
    counts_all = np.bincount(codes, minlength=levels)
    row = []
    for spread in spreads:
        if spread.count < 2 or spread.total <= 0:
            row.append(math.nan)
            continue
        counts = counts_all if spread.weights is None else np.bincount(
            codes, weights=spread.weights, minlength=levels)  # fmt: skip
        sums = np.bincount(codes, weights=spread.zeroed, minlength=levels)
        used = counts > 0
        between = float((counts[used] * (sums[used] / counts[used] - spread.mean) ** 2).sum())
        row.append(math.sqrt(min(1.0, between / spread.total)))
    return row


# -- the section -----------------------------------------------------------------------


def relation_rows(rows: int):
    """Positions of the rows the relations use: a stated random sample above the cap
    (None: every row)."""
    from dsmagic.eda._dataset import sample_positions

    return sample_positions(rows, T.RELATIONS_MAX_ROWS)


def encode(series, stats: dict[str, Any], positions=None) -> dict[str, Any]:
    """What the pairwise statistics need of one column, on the relation rows: float
    values and their ranks (numeric), or integer codes (categorical). Computed per
    column, so the report makes it in the same thread as the column's statistics."""
    kind = stats.get("kind")
    distinct = stats.get("distinct", 0)
    if distinct < 2 or kind not in NUMERIC_KINDS | CATEGORICAL_KINDS:
        return {}
    if kind in CATEGORICAL_KINDS and distinct > T.MAX_CRAMER_LEVELS:
        return {}  # left out of every pair: not worth taking its rows
    if positions is not None:
        series = series.iloc[positions]
    if kind in NUMERIC_KINDS:
        values = numeric_values(series)
        return {"values": values, "ranker": Ranker(values, distinct)}
    return {"codes": category_codes(series)}


def _pick(columns: dict[str, dict[str, Any]], kinds: set[str], exclude: str | None, levels=None):
    names = []
    for name, stats in columns.items():
        if name == exclude or stats.get("kind") not in kinds or stats.get("distinct", 0) < 2:
            continue
        if levels is not None and stats["distinct"] > levels:
            continue
        names.append(name)
    return names


def numeric_jobs(columns: dict[str, dict[str, Any]], encoded: dict[str, dict[str, Any]]):
    """The jobs that need only the numeric columns: ``{part: callable}``.

    ``columns`` must hold every column that can be numeric (in frame order); the others
    may still be missing, so the caller can start these while they are computed."""
    numeric = _pick(columns, NUMERIC_KINDS, None)[: T.MAX_PAIRWISE_COLUMNS]
    if len(numeric) < 2:
        return {}
    # the longest job first, so the threads end together
    return {
        "spearman": lambda: _spearman_matrix([encoded[name]["ranker"] for name in numeric]),
        "pearson": lambda: pairwise_pearson([encoded[name]["values"] for name in numeric]),
    }  # fmt: skip


def other_jobs(frame, columns: dict[str, dict[str, Any]], target: str | None,
               encoded: dict[str, dict[str, Any]]):  # fmt: skip
    """The jobs that need the categorical columns (and the target): ``{part: callable}``,
    once every column is known."""
    import numpy as np

    numeric_all = _pick(columns, NUMERIC_KINDS, None)
    numeric = numeric_all[: T.MAX_PAIRWISE_COLUMNS]
    categorical = _pick(columns, CATEGORICAL_KINDS, None, T.MAX_CRAMER_LEVELS)
    categorical = categorical[: T.MAX_PAIRWISE_COLUMNS]
    codes = {name: encoded[name]["codes"] for name in categorical}
    spreads = _Spreads(numeric_all, encoded)
    jobs = {}
    if target is not None:  # the longest job first, so the threads end together
        positions = relation_rows(len(frame))
        series = frame[target] if positions is None else frame[target].iloc[positions]
        jobs["target"] = lambda: _target(series, columns, target, encoded, spreads)
    if len(categorical) >= 2:

        def cramers():
            k = len(categorical)
            matrix = np.eye(k)
            for i in range(k):
                for j in range(i + 1, k):
                    v = cramers_v(*codes[categorical[i]], *codes[categorical[j]])
                    matrix[i, j] = matrix[j, i] = v
            return matrix

        jobs["cramers_v"] = cramers
    if categorical and numeric:

        def eta(name: str) -> list[float]:
            return eta_row(*codes[name], [spreads.get()[n] for n in numeric])

        # one job per categorical column: no thread is left with all of them at the end
        for at, name in enumerate(categorical):
            jobs[f"eta {at}"] = functools.partial(eta, name)
    return jobs


class _Spreads:
    """Each numeric column's :class:`Spread`, made once by the first job asking."""

    def __init__(self, names: list[str], encoded: dict[str, dict[str, Any]]) -> None:
        import threading

        self._names, self._encoded = names, encoded
        self._lock = threading.Lock()
        self._spreads: dict[str, Spread] | None = None

    def get(self) -> dict[str, Spread]:
        with self._lock:
            if self._spreads is None:
                self._spreads = {n: Spread(self._encoded[n]["values"]) for n in self._names}
            return self._spreads


def assemble(rows: int, columns: dict[str, dict[str, Any]], parts: dict[str, Any]):
    """The relations section from the results of :func:`numeric_jobs` and
    :func:`other_jobs` (``rows``: the frame's), with its caps stated."""
    import numpy as np

    numeric_all = _pick(columns, NUMERIC_KINDS, None)
    categorical_all = _pick(columns, CATEGORICAL_KINDS, None, T.MAX_CRAMER_LEVELS)
    numeric = numeric_all[: T.MAX_PAIRWISE_COLUMNS]
    categorical = categorical_all[: T.MAX_PAIRWISE_COLUMNS]
    notes = []
    for label, picked, every in (("numeric", numeric, numeric_all),
                                 ("categorical", categorical, categorical_all)):  # fmt: skip
        if len(every) > len(picked):
            notes.append(
                f"pairwise statistics use the first {len(picked)} of {len(every)} {label} "
                f"columns (cap: {T.MAX_PAIRWISE_COLUMNS})"
            )
    high_levels = [
        n
        for n, s in columns.items()
        if s.get("kind") in CATEGORICAL_KINDS and s.get("distinct", 0) > T.MAX_CRAMER_LEVELS
    ]
    if high_levels:
        notes.append(
            f"left out of Cramér's V and η (more than {T.MAX_CRAMER_LEVELS} levels): "
            + ", ".join(high_levels[:10])
        )
    result: dict[str, Any] = {"numeric": numeric, "categorical": categorical, "notes": notes}
    positions = relation_rows(rows)
    result["rows"] = rows
    if positions is not None:
        notes.append(
            f"relations are computed on a random sample of {len(positions):,} of "
            f"{rows:,} rows (cap: {T.RELATIONS_MAX_ROWS:,}); per-column statistics "
            "use every row"
        )
        result["rows"] = len(positions)
    if categorical and numeric and "eta 0" in parts:
        parts = {**parts, "eta": np.array([parts[f"eta {at}"] for at in range(len(categorical))])}
    for part in ("pearson", "spearman", "cramers_v", "eta", "target"):
        if part in parts:
            result[part] = parts[part]
    return result


def compute(frame, columns: dict[str, dict[str, Any]], target: str | None, tick=None,
            encoded: dict[str, dict[str, Any]] | None = None):  # fmt: skip
    """The relations section: matrices, their caps, and the target associations.

    ``encoded``: each column's :func:`encode` on the rows of :func:`relation_rows`,
    when the caller made them already."""
    tick = tick or (lambda: None)
    if encoded is None:
        positions = relation_rows(len(frame))
        wanted = _pick(columns, NUMERIC_KINDS, None) + _pick(
            columns, CATEGORICAL_KINDS, None, T.MAX_CRAMER_LEVELS)  # fmt: skip
        encoded = {name: encode(frame[name], columns[name], positions) for name in wanted}
    jobs = {**numeric_jobs(columns, encoded), **other_jobs(frame, columns, target, encoded)}
    parts = {}
    if len(frame) < 50_000:
        for part, job in jobs.items():
            parts[part] = job()
            tick()
    else:  # numpy releases the GIL in these: they run side by side
        from dsmagic.eda._schedule import Jobs

        with Jobs(2) as pool:
            for part, job in jobs.items():
                pool.add(part, job)
            for part, value in pool.finished():
                parts[part] = value
                tick()
    return assemble(len(frame), columns, parts)


def _spearman_matrix(rankers):
    """Spearman for every pair, re-ranking on each pair's common rows as pandas does.

    Columns are grouped by their missing-value pattern: pairs within a group share
    their rows (each column's own ranks are right), and all pairs between two groups
    share theirs. So each column is ranked once per row set, its exactly centred ranks
    written into one F-ordered block per pair of groups, and one matrix product gives
    every pair of the block (columns without missing values form one block)."""
    import numpy as np

    k = len(rankers)
    result = np.full((k, k), np.nan)
    masks, pattern_of = _patterns([ranker.present for ranker in rankers])
    members = [list(np.flatnonzero(pattern_of == p)) for p in range(len(masks))]
    own = [int(ranker.present.sum()) for ranker in rankers]

    def block(columns: list[int], keep):
        """The pairs of ``columns`` on the rows ``keep`` (None: the columns' own)."""
        mask = rankers[columns[0]].present if keep is None else keep
        rows = np.flatnonzero(mask)
        if len(rows) < 2:
            return None
        ranks = np.empty((len(rows), len(columns)), order="F")
        for at, j in enumerate(columns):
            # a column whose own rows are these needs no re-ranking
            rankers[j].centred(None if len(rows) == own[j] else mask, rows, ranks[:, at])
        products = _products(ranks, ranks)
        scale = np.sqrt(np.diag(products))
        with np.errstate(all="ignore"):
            return np.clip(products / np.outer(scale, scale), -1.0, 1.0)

    for g, first in enumerate(members):
        within = block(first, None)
        if within is not None:
            result[np.ix_(first, first)] = within
        for h in range(g + 1, len(members)):
            second, mask_a, mask_b = members[h], masks[g], masks[h]
            if mask_a is None or mask_b is None:
                keep = mask_b if mask_a is None else mask_a
            else:
                keep = mask_a & mask_b
            both = block(first + second, keep)
            if both is not None:
                cross = both[: len(first), len(first) :]
                result[np.ix_(first, second)] = cross
                result[np.ix_(second, first)] = cross.T
    for j in range(k):  # 1 on the diagonal unless the column is constant (pandas: NaN)
        if result[j, j] == result[j, j]:
            result[j, j] = 1.0
    return result


def target_task(stats: dict[str, Any]) -> str:
    kind = stats.get("kind")
    if kind in CATEGORICAL_KINDS:
        return "classification"
    if kind == "numeric":
        whole = all(float(v).is_integer() for v, _ in stats.get("top", []))
        if stats.get("distinct", 0) <= 10 and whole:
            return "classification"
        return "regression"
    return "unsupported"


def _target(
    series,
    columns: dict[str, dict[str, Any]],
    target: str,
    encoded: dict[str, dict[str, Any]],
    spreads: _Spreads,
) -> dict[str, Any]:
    stats = columns[target]
    task = target_task(stats)
    section: dict[str, Any] = {"column": target, "task": task, "associations": []}
    if task == "classification":
        counts = series.value_counts(dropna=True)
        total = int(counts.sum())
        section["classes"] = [
            {"value": _label(v), "count": int(c), "share": c / total if total else 0.0}
            for v, c in counts.head(50).items()
        ]
        if len(counts) >= 2:
            section["minority_share"] = float(counts.iloc[-1] / total)
            section["majority_share"] = float(counts.iloc[0] / total)
        target_codes = category_codes(series)
        numbers = spreads.get()
        features = [n for n in numbers if n != target]
        etas = dict(zip(features, eta_row(*target_codes, [numbers[n] for n in features])))
    else:
        target_values = numeric_values(series)
        target_ranker = Ranker(target_values, stats.get("distinct"))
    rows = []
    for name, feature in columns.items():
        if name == target:
            continue
        kind = feature.get("kind")
        if feature.get("distinct", 0) < 2:
            continue
        if kind in NUMERIC_KINDS:
            if task == "classification":
                rows.append((name, "η (correlation ratio)", etas[name]))
            else:
                rho = spearman(encoded[name]["values"], target_values, encoded[name]["ranker"],
                               target_ranker)  # fmt: skip
                rows.append((name, "|Spearman|", abs(rho) if rho == rho else rho))
        elif kind in CATEGORICAL_KINDS and feature["distinct"] <= T.MAX_CRAMER_LEVELS:
            codes = encoded[name]["codes"]
            if task == "classification":
                rows.append((name, "Cramér's V", cramers_v(*codes, *target_codes)))
            else:
                rows.append(
                    (name, "η (correlation ratio)", correlation_ratio(*codes, target_values))
                )
    rows.sort(key=lambda r: -r[2] if r[2] == r[2] else 1.0)
    section["associations"] = [{"column": n, "method": m, "score": s} for n, m, s in rows]
    return section


def _label(value):
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, TypeError):
            pass
    return value if isinstance(value, str | int | float | bool) else str(value)
