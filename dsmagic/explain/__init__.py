"""Model explanations on SHAP: the right explainer per model, global importance,
summary and dependence plots, and single predictions."""

from __future__ import annotations

from dsmagic._callable_module import make_callable
from dsmagic.explain._explain import Explanation, explain
from dsmagic.explain._local import RowExplanation

__all__ = ["Explanation", "RowExplanation", "explain"]

# `dm.explain(model, X)` must work even after `import dsmagic.explain` bound the name.
make_callable(__name__, explain)
