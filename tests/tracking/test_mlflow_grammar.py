"""Every filter form MLflow's own parser accepts is understood by dsmagic, or refused in one
line saying why (the three fields dsmagic does not record).

The forms are generated from MLflow's grammar tables (``SearchUtils``), so a new identifier or
comparator in a future MLflow shows up here as a failure, not as a silent gap.
"""

from __future__ import annotations

import itertools

import pytest
from mlflow.utils.search_utils import SearchUtils

import dsmagic as dm

# Fields MLflow has and dsmagic does not record: refused with the reason.
UNRECORDED = {"user_id", "artifact_uri", "context"}


def _value(kind: str, key: str, comparator: str) -> str:
    if comparator in ("IS NULL", "IS NOT NULL"):
        return ""
    if comparator in ("IN", "NOT IN"):
        return " ('a', 'b')"
    if kind == "metric" or (kind == "attribute" and key in SearchUtils.NUMERIC_ATTRIBUTES):
        return " 0.5"
    if comparator in ("LIKE", "ILIKE"):
        return " 'a%'"
    return " 'a'"


def _forms() -> list[tuple[str, str]]:
    """(filter, field) for every identifier alias x key kind x comparator MLflow accepts."""
    kinds = {
        "metric": (SearchUtils._ALTERNATE_METRIC_IDENTIFIERS | {"metric"}, ["acc", "`f1 score`"]),
        "parameter": (SearchUtils._ALTERNATE_PARAM_IDENTIFIERS | {"parameter"}, ["lr", '"a.b"']),
        "tag": (SearchUtils._ALTERNATE_TAG_IDENTIFIERS | {"tag"}, ["owner", "`team-x`"]),
        "attribute": (
            SearchUtils._ALTERNATE_ATTRIBUTE_IDENTIFIERS | {"attribute"},
            [f"`{key}`" if " " in key else key for key in SearchUtils.VALID_SEARCH_ATTRIBUTE_KEYS],
        ),
        "dataset": (
            SearchUtils._ALTERNATE_DATASET_IDENTIFIERS | {"dataset"},
            sorted(SearchUtils.DATASET_ATTRIBUTES),
        ),
    }
    comparators = {
        "metric": SearchUtils.VALID_METRIC_COMPARATORS,
        "parameter": SearchUtils.VALID_PARAM_COMPARATORS,
        "tag": SearchUtils.VALID_TAG_COMPARATORS,
        "dataset": SearchUtils.VALID_DATASET_COMPARATORS,
    }
    forms = []
    for kind, (prefixes, keys) in kinds.items():
        for prefix, key in itertools.product(sorted(prefixes), keys):
            bare = key.strip('`"')
            if kind == "attribute":
                numeric = bare in SearchUtils.NUMERIC_ATTRIBUTES
                allowed = (
                    SearchUtils.VALID_NUMERIC_ATTRIBUTE_COMPARATORS
                    if numeric
                    else SearchUtils.VALID_STRING_ATTRIBUTE_COMPARATORS
                )
                if bare not in SearchUtils.LIST_SUPPORTED_KEYS:
                    allowed = allowed - {"IN", "NOT IN"}
            else:
                allowed = comparators[kind]
            for comparator in sorted(allowed):
                forms.append((f"{prefix}.{key} {comparator}{_value(kind, bare, comparator)}", bare))
    return forms


FORMS = _forms()


def test_the_forms_cover_mlflows_grammar_and_mlflow_accepts_each():
    assert len(FORMS) > 150
    for query, _ in FORMS:
        SearchUtils.parse_search_filter(query)  # raises if our generator wrote a bad form


def test_every_mlflow_filter_form_is_understood_or_refused_with_its_reason(sqlite_home):
    with dm.start_run("r"):
        dm.log_metric("acc", 0.9)
    refused = []
    for query, field in FORMS:
        try:
            dm.search_runs(query)
        except dm.FilterError as error:
            assert field in UNRECORDED, f"{query!r} was refused: {error}"
            assert "cannot be searched" in str(error) and "\n" not in str(error)
            refused.append(field)
        else:
            assert field not in UNRECORDED, f"{query!r} should say it cannot be searched"
    assert set(refused) == UNRECORDED


@pytest.mark.parametrize("key", sorted(SearchUtils.VALID_ORDER_BY_ATTRIBUTE_KEYS))
def test_every_mlflow_order_by_attribute(sqlite_home, key):
    with dm.start_run("r"):
        pass
    for direction in ("ASC", "DESC"):
        clause = f"attributes.{key} {direction}"
        SearchUtils.parse_order_by_for_search_runs(clause)
        if key in UNRECORDED:
            with pytest.raises(dm.FilterError, match="cannot be searched"):
                dm.search_runs(order_by=clause)
        else:
            assert list(dm.search_runs(order_by=clause)["run_name"]) == ["r"]


def test_mlflow_forms_mean_what_they_mean_in_mlflow(dsmagic_home):
    """The forms dsmagic added for MLflow's grammar select the right runs, on both backends."""
    import pandas as pd

    with dm.start_run("tagged"):
        dm.set_tag("team-x", "core")
        dm.log_param("lr", "0.1")
        dm.log_metric("f1 score", 0.7)
        dm.track_data(pd.DataFrame({"a": [1, 2]}), "customers")
    with dm.start_run("plain") as plain:
        dm.log_metric("f1 score", 0.2)
    digest = dm.get_version("customers@1").fingerprint

    def names(query: str) -> list[str]:
        return sorted(dm.search_runs(query)["run_name"])

    assert names("tags.`team-x` IS NULL") == ["plain"]
    assert names("tags.`team-x` IS NOT NULL and params.lr IS NOT NULL") == ["tagged"]
    assert names("metrics.`f1 score` >= 0.5") == ["tagged"]
    assert names("datasets.name = 'customers'") == ["tagged"]
    assert names("datasets.name IN ('orders', 'customers')") == ["tagged"]
    assert names(f"datasets.digest = '{digest}'") == ["tagged"]
    assert names("datasets.name LIKE 'cust%' or attributes.`Run Name` = 'plain'") == [
        "plain",
        "tagged",
    ]
    assert names("attributes.created > 0 and attributes.run_id NOT IN ('x')") == [
        "plain",
        "tagged",
    ]
    assert names(f"run.run_id IN ('{plain.id}')") == ["plain"]
