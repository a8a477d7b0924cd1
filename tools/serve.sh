#!/usr/bin/env bash
# make serve: serve an existing demo database without rebuilding it (make demo builds one).
#   DEMO_DB  the database (default dunning_demo)
#   PORT     the HTTP port (default 8069): http://localhost:$PORT, login admin / admin
# Ctrl-C stops it. Odoo's cron jobs (dunning run, letter delivery, collection) run inside.
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
DB=${DEMO_DB:-dunning_demo}
PORT=${PORT:-8069}
if ! psql -d "$DB" -tAc "SELECT 1 FROM ir_module_module WHERE name = 'account_dunning_collect' AND state = 'installed'" 2>/dev/null | grep -q 1; then
    echo "ERROR: no demo database $DB with account_dunning_collect installed: build it with 'make demo'" \
         "(DEMO_DB=$DB make demo SERVE=1 builds and serves it)." >&2
    exit 2
fi
# When Odoo restarts itself (a worker over its time or memory limit, a module update from
# the browser) it executes "python" again by name: the virtualenv's must come first on PATH,
# or the system's Python starts without Odoo's packages.
PATH="$(dirname "$ODOO_PYTHON"):$PATH"
export PATH
echo "Odoo on http://localhost:$PORT (admin / admin), database $DB; Ctrl-C stops it."
exec "${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$DB" --http-port "$PORT" --db-filter "^$DB\$"
