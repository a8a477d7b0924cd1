#!/usr/bin/env bash
# make test: a fresh database, the addon installed, all its tests run with pytest-odoo;
# non-zero on any failure. The last line is pytest's summary.
#   TEST_DB=name   the database (dropped and created anew; KEEP_DB=1 keeps it afterwards)
#   PYTEST_ARGS    more pytest arguments, e.g. PYTEST_ARGS="-k TestDunningRun -x"
#   TEST_TAGS      narrows the run to test classes/methods by name (as -k): TEST_TAGS=TestDunningRun
set -uo pipefail
source "$(dirname "$0")/odoo_env.sh"
install_python_deps test || { echo "ERROR: could not install the addon's Python dependencies" >&2; exit 2; }

DB=${TEST_DB:-dunning_test_$$}
LOG=$(mktemp /tmp/dunning_test_XXXX.log)
CONF=$(mktemp /tmp/dunning_test_XXXX.conf)
dropdb --if-exists "$DB" 2>/dev/null
createdb ${TEMPLATE_DB:+-T "$TEMPLATE_DB"} "$DB" || { echo "ERROR: could not create database $DB" >&2; exit 2; }
cleanup() { rm -f "$CONF"; [ -n "${KEEP_DB:-}" ] || dropdb --if-exists "$DB" 2>/dev/null; }
trap cleanup EXIT

echo "Installing account_dunning_collect (+ l10n_de for the German test company) into $DB (log: $LOG)..."
# l10n_de is installed beside the addon because the tests use the SKR03 chart.
"${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$DB" -i account_dunning_collect,l10n_de \
    --stop-after-init --no-http --log-level=info >"$LOG" 2>&1
rc=$?
if [ "$rc" -ne 0 ] || grep -qE " (ERROR|CRITICAL) " "$LOG"; then
    echo "ERROR: installing the addon failed (exit $rc; log: $LOG):" >&2
    if grep -qE " (ERROR|CRITICAL) " "$LOG"; then
        grep -E -A20 " (ERROR|CRITICAL) " "$LOG" | head -80 >&2
    else
        tail -40 "$LOG" >&2
    fi
    exit 1
fi

# pytest-odoo reads the connection and the addons path from an Odoo configuration file.
cat >"$CONF" <<EOF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
addons_path = $ADDONS_PATH
EOF
selection=()
if [ -n "${TEST_TAGS:-}" ]; then  # Odoo's ":Class.method" spelling as pytest's -k "Class and method"
    selection=(-k "$(echo "${TEST_TAGS#*:}" | sed 's/\./ and /g')")
fi
echo "Running its tests with pytest-odoo..."
cd "$ROOT" || exit 2
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of arguments
"$ODOO_PYTHON" -m pytest --odoo-database="$DB" --odoo-config="$CONF" --odoo-log-level=warn \
    --continue-on-collection-errors --durations=5 "${selection[@]}" ${PYTEST_ARGS:-} \
    account_dunning_collect/tests 2>&1 | tee -a "$LOG"
exit "${PIPESTATUS[0]}"
