"""Bookkeeping of the bad-input tests: one assertion helper and the count of
handled cases, printed at the end of the session (pytest plugin hook)."""

from __future__ import annotations

import re

COUNT = {"handled": 0}
ONE_LINE = re.compile(r"^tensorglass: error: \S.*$")


def run_cli(argv, capsys):
    """Call the CLI in-process; return (exit status, stdout, stderr)."""
    from tensorglass.cli import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_handled(code, err, *needles):
    """Exit 2, exactly one line on stderr that starts with 'tensorglass: error:', no traceback, and every
    needle (the parameter's name, its value) in that line."""
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("tensorglass: note:")]
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    assert len(lines) == 1 and ONE_LINE.match(lines[0]), err[-2000:]
    for n in needles:
        assert str(n) in lines[0], (n, lines[0])
    COUNT["handled"] += 1
    return lines[0]


def pytest_terminal_summary(terminalreporter):
    if COUNT["handled"]:
        terminalreporter.write_line(f"{COUNT['handled']} bad-input cases handled (exit 2, one line, no traceback)")
