# account_dunning_collect — the project's commands. demo and test install Odoo 19 first when it is missing (tools/setup.sh).
.PHONY: setup demo test lint bench

setup:  ## find Odoo 19 (ODOO_PYTHON) or install it from ODOO_SRC (tree, archive, git URL); PostgreSQL role; Python deps
	tools/setup.sh

demo:  ## (re)create the database dunning_demo with demo data and run the dunning; SERVE=1 then starts Odoo
	tools/demo.sh

test:  ## fresh database, install the addon, run all its tests
	tools/run_tests.sh

lint:
	ruff check account_dunning_collect tools
	ruff format --check account_dunning_collect tools

bench:  ## the daily run at 20k and 100k invoices, side by side with OCA credit control (SIZES=..., REBUILD=1)
	bench/bench.sh
