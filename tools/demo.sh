#!/usr/bin/env bash
# make demo: (re)create the database dunning_demo with the addon, a German demo
# company and its receivables, run the dunning and print a summary.
# SERVE=1 then starts Odoo on http://localhost:8069 (login admin / admin).
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
DUNNING_ROOT="$ROOT" "${ODOO_BIN[@]}" shell "${ODOO_DB_ARGS[@]}" -d "$DB" --log-level=warn --no-http < "$ROOT/tools/demo_data.py"
if [ -n "${SERVE:-}" ]; then
    echo "Odoo on http://localhost:${PORT:-8069} (admin / admin); Ctrl-C stops it."
    exec "${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$DB" --http-port "${PORT:-8069}" --db-filter "^$DB\$"
fi
