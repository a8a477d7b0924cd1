#!/usr/bin/env bash
# make demo: (re)create the database dunning_demo with the addon, a German demo
# company and its receivables, run the dunning and print a summary.
#   DEMO_DB    the database (default dunning_demo)
#   DEMO_DATE  the demo's "today", YYYY-MM-DD (default: today); the same date gives the same demo
#   SERVE=1    then serves it (tools/serve.sh, the same as make serve) on http://localhost:$PORT
#   PORT       the HTTP port (default 8069); login admin / admin
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
install_python_deps
DB=${DEMO_DB:-dunning_demo}
dropdb --if-exists --force "$DB"  # --force: a running demo server is disconnected
createdb "$DB"
echo "Installing account_dunning_collect and l10n_de into $DB ..."
"${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$DB" -i account_dunning_collect,l10n_de \
    --load-language de_DE --stop-after-init --log-level=warn
echo "Creating the demo company, customers and invoices; running the dunning ..."
DUNNING_ROOT="$ROOT" DEMO_DATE="${DEMO_DATE:-}" "${ODOO_BIN[@]}" shell "${ODOO_DB_ARGS[@]}" -d "$DB" --log-level=warn --no-http < "$ROOT/tools/demo_data.py"
if [ -n "${SERVE:-}" ]; then
    DEMO_DB=$DB exec "$ROOT/tools/serve.sh"
fi
