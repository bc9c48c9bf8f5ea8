"""What the store cannot hold exactly is refused at the call, in one line, on both backends,
and nothing of the refused call is buffered."""

from __future__ import annotations

import pytest

import dsmagic as dm
from dsmagic.tracking import TrackingClient

UNSTORABLE = [
    pytest.param("bad \ud800 value", id="lone-surrogate"),
    pytest.param("bad \x00 value", id="NUL"),
]


def _one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and len(message) < 300, message
    return message


@pytest.mark.parametrize("value", UNSTORABLE)
@pytest.mark.parametrize("call", ["log_param", "set_tag"])
def test_an_unstorable_value_is_refused_and_later_writes_go_on(dsmagic_home, call, value):
    with dm.start_run("values") as run:
        dm.log_metric("before", 1.0)
        with pytest.raises(dm.DsmagicError, match="cannot be stored") as excinfo:
            getattr(dm, call)("k", value)
        _one_line(excinfo)
        for step in range(300):
            dm.log_metric("after", float(step))
        dm.log_param("fine", "yes")
    stored = dm.get_run(run.id)
    assert stored.status == "finished"
    assert stored.metrics == {"before": 1.0, "after": 299.0}
    assert "k" not in stored.params and "k" not in stored.tags
    assert len(dm.get_metric_history(run.id, "after")) == 300
    with dm.start_run("next") as later:
        dm.log_param("p", 1)
    assert dm.get_run(later.id).params == {"p": "1"}


@pytest.mark.parametrize("value", UNSTORABLE)
def test_the_explicit_client_refuses_unstorable_values_too(dsmagic_home, value):
    client = TrackingClient()
    run = client.create_run("explicit")
    with pytest.raises(dm.DsmagicError, match="cannot be stored"):
        client.log_params(run.id, {"k": value})
    with pytest.raises(dm.DsmagicError, match="cannot be stored"):
        client.set_tags(run.id, {"k": value})
    with pytest.raises(dm.DsmagicError, match="cannot be stored"):
        client.create_run("other", params={"k": value})
    assert client.get_run(run.id).params == {}


def test_a_metric_too_large_for_a_float_is_one_line(dsmagic_home):
    with dm.start_run("big") as run:
        with pytest.raises(dm.DsmagicError, match="too large for a float") as excinfo:
            dm.log_metric("m", 10**400)
        assert len(_one_line(excinfo)) < 200
        with pytest.raises(dm.DsmagicError, match="too large for a float"):
            dm.log_metrics({"ok": 1.0, "m": -(10**400)})
    assert dm.get_run(run.id).metrics == {}


def test_a_parameter_with_more_digits_than_python_prints_is_one_line(dsmagic_home):
    with dm.start_run("digits") as run:
        with pytest.raises(dm.DsmagicError, match="pass it as a string") as excinfo:
            dm.log_param("n", 10**5000)
        _one_line(excinfo)
        dm.log_param("n", "1" + "0" * 5000)  # as a string it is stored as given
    assert dm.get_run(run.id).params == {"n": "1" + "0" * 5000}


@pytest.mark.parametrize("key", ["acc\n", "acc\r", "a\tb", "acc\x1b", "acc\x00"])
def test_keys_with_a_newline_or_control_character_are_refused(dsmagic_home, key):
    with dm.start_run("keys") as run:
        for call, args in [
            ("log_metric", (key, 1.0)),
            ("log_param", (key, 1)),
            ("set_tag", (key, "v")),
        ]:
            with pytest.raises(dm.DsmagicError, match="has characters other than") as excinfo:
                getattr(dm, call)(*args)
            _one_line(excinfo)
    stored = dm.get_run(run.id)
    assert (stored.metrics, stored.params) == ({}, {})


@pytest.mark.parametrize("name", ["exp\n", "a\rb", "tab\there", "esc\x1b", "nul\x00", "ls\u2028"])
def test_names_with_a_control_character_are_refused(dsmagic_home, name):
    with pytest.raises(dm.DsmagicError, match="control character") as excinfo:
        dm.start_run(name)
    _one_line(excinfo)
    with pytest.raises(dm.DsmagicError, match="control character"):
        dm.start_run("fine", experiment=name)
    with pytest.raises(dm.DsmagicError, match="control character"):
        dm.set_experiment(name)
    assert dm.active_run() is None
    assert len(dm.search_runs()) == 0
