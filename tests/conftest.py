import os

from hypothesis import HealthCheck, settings

# Deterministic by default so that CI is reproducible; TG_HYPOTHESIS=dev explores new examples.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=300)
settings.load_profile(os.environ.get("TG_HYPOTHESIS", "ci"))

# the count of bad-input cases the suite handled, printed at the end of the run (tests/_badinput.py)
from _badinput import pytest_terminal_summary  # noqa: E402,F401
pytest_plugins = ["pytester"]  # tests/test_fuzz_cli.py checks that the count is printed
