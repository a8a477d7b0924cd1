#!/usr/bin/env bash
# make test: a fresh database, the addon installed, all its tests run; non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/odoo_env.sh"
install_python_deps test || { echo "ERROR: could not install the addon's Python dependencies" >&2; exit 2; }

DB=${TEST_DB:-dunning_test_$$}
LOG=$(mktemp /tmp/dunning_test_XXXX.log)
dropdb --if-exists "$DB" 2>/dev/null
createdb ${TEMPLATE_DB:+-T "$TEMPLATE_DB"} "$DB" || { echo "ERROR: could not create database $DB" >&2; exit 2; }
cleanup() { [ -n "${KEEP_DB:-}" ] || dropdb --if-exists "$DB" 2>/dev/null; }
trap cleanup EXIT

echo "Installing account_dunning_collect (+ l10n_de for the German test company) into $DB and running its tests..."
# l10n_de is installed beside the addon because the tests use the SKR03 chart.
"${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$DB" -i account_dunning_collect,l10n_de \
    --test-tags "/account_dunning_collect${TEST_TAGS:+:$TEST_TAGS}" --stop-after-init \
    --http-port "$((20000 + RANDOM % 10000))" --log-level=test 2>&1 | tee "$LOG" \
    | grep -E "ERROR|FAIL|Traceback|tests when loading|Ran [0-9]+ test|^AssertionError|odoo.addons.account_dunning_collect.tests.*(OK|FAIL|ERROR)"
rc=${PIPESTATUS[0]}

summary=$(grep -Eo "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$LOG" | tail -1)
errors=$(grep -cE " (ERROR|CRITICAL) " "$LOG")
if [ -z "$summary" ]; then
    ran=$(grep -c "Starting .*account_dunning_collect" "$LOG")
    if [ "$ran" -gt 0 ] && [ "$errors" -eq 0 ] && [ "$rc" -eq 0 ]; then
        total=$ran failed=0
    else
        echo "ERROR: the test run printed no result (log: $LOG)" >&2
        tail -40 "$LOG" >&2
        exit 1
    fi
else
    read -r failed _ err _ _ total _ <<<"$(echo "$summary" | tr -d '(s),')"
    failed=$((failed + err))
fi
passed=$((total - failed))
echo "tests: $passed passed, $failed failed"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$total" -eq 0 ]; then
    echo "FAILED (exit $rc, $errors error lines; full log: $LOG)" >&2
    exit 1
fi
