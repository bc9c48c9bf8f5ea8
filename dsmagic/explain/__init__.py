"""Model explanations on SHAP: the right explainer per model, global importance,
summary and dependence plots, and single predictions."""

from __future__ import annotations

from dsmagic.explain._explain import Explanation, explain
from dsmagic.explain._local import RowExplanation

__all__ = ["Explanation", "RowExplanation", "explain"]
