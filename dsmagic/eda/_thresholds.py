"""Every threshold and cap of the EDA report, in one place so the report can state them."""

from __future__ import annotations

MISSING_SHARE = 0.01  # alert when more than 1 % of a column's cells are missing
ZEROS_SHARE = 0.01  # alert when more than 1 % of a numeric column's values are zero
DUPLICATES_SHARE = 0.01  # alert when more than 1 % of the rows repeat an earlier row
HIGH_CARDINALITY = 50  # alert when a categorical column has more distinct values than this
SKEW = 1.0  # |skewness| above 1 is "highly skewed" (Bulmer's rule of thumb)
IMBALANCE_SHARE = 0.9  # alert when the most frequent value covers more than 90 % of rows
OUTLIER_IQR = 1.5  # Tukey's fences: below Q1 - 1.5·IQR or above Q3 + 1.5·IQR
OUTLIERS_SHARE = 0.01  # alert when more than 1 % of the values lie outside Tukey's fences
FAR_OUT_IQR = 3.0  # ... or when any value lies more than 3 IQRs beyond them (a far cluster)
CORRELATION = 0.9  # alert when |Pearson|, |Spearman|, Cramér's V or η reaches 0.9
AS_TEXT_SHARE = 0.95  # numbers or dates stored as text: at least 95 % of the values parse
IDENTIFIER_MIN_ROWS = 20  # an all-distinct integer or string column this long is an identifier

RELATIONS_MAX_ROWS = 100_000  # relations of larger frames use a stated random sample of rows
MAX_PAIRWISE_COLUMNS = 50  # pairwise statistics use at most this many columns of each kind
MAX_CRAMER_LEVELS = 100  # categorical columns with more levels are left out of Cramér's V
MAX_TOP_VALUES = 10
HISTOGRAM_BINS = 30
SAMPLE_ROWS_SHOWN = 5  # raw rows embedded in the report (head only)
DEFAULT_TIME_BUDGET = 60.0  # seconds; above it the report switches to a stated sample
MIN_SAMPLE_ROWS = 10_000

ALERT_RULES: dict[str, str] = {
    "missing": f"more than {MISSING_SHARE:.0%} of the cells are missing",
    "zeros": f"more than {ZEROS_SHARE:.0%} of the values are zero (not for binary 0/1 columns)",
    "duplicates": f"more than {DUPLICATES_SHARE:.0%} of the rows are exact duplicates",
    "constant": "one distinct value (or none)",
    "unique": f"every value distinct in an integer or text column of ≥ {IDENTIFIER_MIN_ROWS} rows",
    "high_cardinality": f"a categorical column with more than {HIGH_CARDINALITY} distinct values",
    "skewed": f"|skewness| above {SKEW:g}",
    "imbalance": f"the most frequent value covers more than {IMBALANCE_SHARE:.0%} of the rows",
    "infinite": "any ±inf value",
    "outliers": f"more than {OUTLIERS_SHARE:.0%} of the values outside Tukey's "
    f"{OUTLIER_IQR:g}·IQR fences, or any value more than {FAR_OUT_IQR:g} IQRs beyond them "
    "(not for binary 0/1 columns)",
    "high_correlation": f"|correlation| (Pearson, Spearman, Cramér's V or η) ≥ {CORRELATION:g}",
    "mixed_types": "values of more than one Python type in one column",
    "numbers_as_text": f"at least {AS_TEXT_SHARE:.0%} of a text column's values parse as "
    "numbers or dates",
}
