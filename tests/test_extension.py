"""``%load_ext dsmagic`` / ``%unload_ext dsmagic`` in a real IPython shell: unloading takes
away every hook loading added, and only those; other extensions keep theirs."""

from __future__ import annotations

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import dsmagic as dm


@pytest.fixture
def shell(dsmagic_home):
    start_ipython()  # one shell per process; later calls return None
    shell = get_ipython()
    if "dsmagic" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "dsmagic")
    before = (shell.custom_exceptions, shell.CustomTB)
    yield shell
    if "dsmagic" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "dsmagic")
    shell.custom_exceptions, shell.CustomTB = before


def callbacks(shell) -> dict[str, list]:
    return {event: list(shell.events.callbacks[event]) for event in shell.events.callbacks}


def magic_names(shell) -> dict[str, set[str]]:
    return {kind: set(table) for kind, table in shell.magics_manager.magics.items()}


def test_unload_removes_exactly_what_load_added(shell):
    events, magics = callbacks(shell), magic_names(shell)
    exceptions, handler = shell.custom_exceptions, shell.CustomTB
    shell.run_line_magic("load_ext", "dsmagic")
    loaded = callbacks(shell)
    assert {e: len(loaded[e]) - len(events[e]) for e in events if loaded[e] != events[e]} == {
        "pre_run_cell": 1,
        "post_run_cell": 1,
    }
    assert {"track_data", "start_run", "eda", "canvas"} <= magic_names(shell)["line"]
    assert dm.DsmagicError in shell.custom_exceptions
    shell.run_line_magic("unload_ext", "dsmagic")
    assert callbacks(shell) == events
    assert magic_names(shell) == magics
    assert (shell.custom_exceptions, shell.CustomTB) == (exceptions, handler)
    # And again: a second load works, a second unload changes nothing.
    shell.run_line_magic("load_ext", "dsmagic")
    assert "track_data" in magic_names(shell)["line"]
    shell.run_line_magic("unload_ext", "dsmagic")
    shell.run_line_magic("unload_ext", "dsmagic")
    assert callbacks(shell) == events


def test_lineage_snapshot_stops_with_the_extension(shell):
    shell.run_line_magic("load_ext", "dsmagic")
    shell.run_cell("import pandas as pd, dsmagic as dm\nraw = pd.DataFrame({'a': [1, 2]})")
    shell.run_cell("dm.track_data(raw, 'raw')")
    shell.run_cell("clean = raw.assign(b=raw.a * 2)\nv = dm.track_data(clean, 'clean')")
    assert shell.user_ns["v"].parents == ["raw@1"]  # the cell's source was seen by the hook
    shell.run_line_magic("unload_ext", "dsmagic")
    shell.run_cell("other = raw.assign(c=1)\nw = dm.track_data(other, 'other')")
    assert shell.user_ns["w"].parents == []  # no hook: no cell source, no automatic lineage


def test_another_extensions_error_handler_survives_load_and_unload(shell, capsys):
    seen = []

    def theirs(self, etype, value, tb, tb_offset=None):
        seen.append(etype)
        return ["theirs"]

    shell.set_custom_exc((KeyError,), theirs)
    shell.run_line_magic("load_ext", "dsmagic")
    shell.run_cell("{}['missing']")
    shell.run_cell("raise dm.DsmagicError('a one-line problem')")
    err = capsys.readouterr().err
    assert seen == [KeyError]
    assert "DsmagicError: a one-line problem" in err and "Traceback" not in err
    shell.run_line_magic("unload_ext", "dsmagic")
    assert shell.custom_exceptions == (KeyError,)
    shell.run_cell("{}['missing']")
    assert seen == [KeyError, KeyError]


def test_an_extension_loaded_after_dsmagic_keeps_working_after_dsmagic_unloads(shell, capsys):
    shell.run_line_magic("load_ext", "dsmagic")
    seen = []
    dsmagic_handler = shell.CustomTB
    dsmagic_types = shell.custom_exceptions

    def theirs(self, etype, value, tb, tb_offset=None):  # chains to the handler before it
        if issubclass(etype, KeyError):
            seen.append(etype)
            return ["theirs"]
        return dsmagic_handler(etype, value, tb, tb_offset)

    shell.set_custom_exc((*dsmagic_types, KeyError), theirs)
    shell.register_magic_function(lambda line: "theirs", "line", "start_run")  # takes a name
    shell.run_line_magic("unload_ext", "dsmagic")
    assert shell.run_line_magic("start_run", "") == "theirs"  # their magic stays
    shell.run_cell("{}['missing']")
    shell.run_cell("raise dm.DsmagicError('no longer one line')")
    captured = capsys.readouterr()
    assert seen == [KeyError]
    # dsmagic's handler, now inactive, shows IPython's usual traceback.
    assert "Traceback" in captured.out + captured.err
    del shell.magics_manager.magics["line"]["start_run"]
