"""How pytest imports the addon's tests: with Odoo (make test) and without (make test-engine).

With Odoo, pytest-odoo (plugin "odoo") loads the registry of the database given by
--odoo-database and imports the tests as ``odoo.addons.account_dunning_collect.tests.*``,
as Odoo's own runner does. tools/run_tests.sh installs the addon first.

Without Odoo (``-p no:odoo``, or a Python where pytest-odoo and Odoo are not installed),
only the engine's tests can run: they import ``..engine``, which imports no Odoo. But
importing them as ``account_dunning_collect.tests.test_engine_*`` would first run
``account_dunning_collect/__init__.py`` (the Odoo models) and ``tests/__init__.py`` (every
test module). So the two packages are registered here by their paths alone, without
running their ``__init__``: the test module and the engine are all that gets executed.

Two things pytest-odoo does not do as Odoo's test run did, done here:
* a test that logs an error (ERROR or above, not silenced by mute_logger nor caught by
  assertLogs) fails, as an ERROR line in Odoo's log failed make test before
  (run_tests.sh passes --odoo-log-level=warn, so Odoo's loggers emit those records);
* an HttpCase gets Odoo's HTTP server (--odoo-http) instead of being skipped.
"""

import importlib.util
import logging
import sys
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parent / "account_dunning_collect"


def _register_package_without_init(name, path):
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)]
    )
    package = importlib.util.module_from_spec(spec)  # not executed
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, package)


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("odoo"):
        _register_package_without_init("account_dunning_collect", ADDON)
        _register_package_without_init("account_dunning_collect.tests", ADDON / "tests")


class _ErrorRecords(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


_error_records = _ErrorRecords()


def pytest_sessionstart(session):
    if session.config.pluginmanager.hasplugin("odoo"):
        logging.getLogger().addHandler(_error_records)


def pytest_collection_modifyitems(config, items):
    """pytest-odoo skips an HttpCase unless --odoo-http starts Odoo's HTTP server: start it
    whenever one is collected (Odoo's own test run always had it)."""
    if config.pluginmanager.hasplugin("odoo"):
        from odoo.tests import HttpCase

        if any(
            isinstance(getattr(item, "cls", None), type) and issubclass(item.cls, HttpCase)
            for item in items
        ):
            config.option.odoo_http = True


def pytest_sessionfinish(session):
    logging.getLogger().removeHandler(_error_records)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    records, _error_records.records = _error_records.records, []
    if records and not report.failed:
        lines = [f"{call.when} logged {len(records)} error(s):"]
        lines += [f"{r.levelname} {r.name}: {r.getMessage()}" for r in records]
        report.outcome = "failed"
        report.longrepr = "\n".join(lines)
    return report
