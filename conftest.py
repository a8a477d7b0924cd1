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
"""

import importlib.util
import sys
from pathlib import Path

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
