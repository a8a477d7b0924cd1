# account_dunning_collect — the project's commands. demo and test install Odoo 19 first when it is missing (tools/setup.sh).
.PHONY: setup demo serve test test-engine precommit lint wheel bench

setup:  ## find Odoo 19 (ODOO_PYTHON) or install it from ODOO_SRC (tree, archive, git URL); PostgreSQL role; Python deps
	tools/setup.sh

demo:  ## (re)create the database dunning_demo (DEMO_DB) with demo data dated DEMO_DATE (today); SERVE=1 then serves it
	tools/demo.sh

serve:  ## serve an existing demo database (DEMO_DB, default dunning_demo) on http://localhost:PORT (default 8069) without rebuilding it
	tools/serve.sh

test:  ## fresh database, install the addon, run all its tests
	tools/run_tests.sh

# test-engine's Python: Odoo's venv when there is one (make setup puts pytest there), else python3;
# any Python with requirements-test.txt's packages will do (PYTHON=...), it needs no Odoo.
PYTHON ?= $(firstword $(wildcard $(or $(ODOO_PYTHON),/opt/odoo19-venv/bin/python)) python3)

test-engine:  ## the engine's tests alone with plain pytest: no Odoo, no database, seconds
	$(PYTHON) -m pytest -p no:odoo account_dunning_collect/tests/test_engine_*.py

precommit:  ## every pre-commit hook on all files: ruff, pylint-odoo, prettier, OCA's checks, README.rst from readme/
	tools/precommit.sh

lint: precommit  ## the same as precommit

wheel:  ## build the addon's wheel with whool into dist/, install it into a fresh virtualenv and check it there
	tools/wheel_check.sh

bench:  ## the daily run at 20k and 100k invoices, side by side with OCA credit control (SIZES=..., REBUILD=1)
	bench/bench.sh
