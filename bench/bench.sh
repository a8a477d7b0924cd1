#!/usr/bin/env bash
# make bench: the daily dunning run at 20,000 and 100,000 invoices, side by side
# with OCA's account_credit_control when it is installed in Odoo's venv.
#   SIZES="20000 100000" (default; add 200000 when asked)   REBUILD=1 rebuilds the datasets
#   NO_OCA=1 leaves OCA out   NO_DELIVERY=1 leaves the delivery step out
# Datasets are kept as template databases bench_tpl_<size>_<oca|nooca>; every
# measurement runs on a fresh copy (createdb -T), so runs never see each other.
set -euo pipefail
source "$(dirname "$0")/../tools/odoo_env.sh"
export ADDONS_PATH
cd "$ROOT/bench"
PY="$ODOO_PYTHON"
RUN_DATE=${RUN_DATE:-2026-06-30}
WEEK_LATER=$("$PY" -c "import datetime as d; print(d.date.fromisoformat('$RUN_DATE') + d.timedelta(days=7))")
SIZES=${SIZES:-20000 100000}
CHECK=${CHECK:-40}
if [ -z "${NO_OCA:-}" ] && "$PY" -c "import odoo.addons.account_credit_control" 2>/dev/null; then OCA=1; else OCA=0; fi
MODULES=account_dunning_collect,l10n_de
[ "$OCA" = 1 ] && MODULES=$MODULES,account_credit_control
STAMP=$(date +%Y-%m-%d)
OUT="$ROOT/bench/results/$STAMP.md"
n=1  # never overwrite the figures of an earlier bench of the same day
while [ -e "$OUT" ]; do n=$((n + 1)); OUT="$ROOT/bench/results/$STAMP-$n.md"; done
RESULTS=$(mktemp)

measure() {  # label db mode date [args] -> appends "label<TAB>json" to RESULTS
    local label=$1; shift
    local out line
    out=$("$PY" measure.py "$@" 2>&1) || true
    echo "$out" | grep -v " WARNING \|security risk" >&2
    line=$(grep '^RESULT ' <<<"$out" | tail -1)
    if [ -z "$line" ]; then echo "ERROR: measurement '$label' failed" >&2; exit 1; fi
    printf '%s\t%s\n' "$label" "${line#RESULT }" >> "$RESULTS"
}

copy_template() {  # template db -> fresh copy with the addon upgraded to the code being measured
    dropdb --if-exists --force "$2"; createdb -T "$1" "$2"
    "${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$2" -u account_dunning_collect \
        --stop-after-init --log-level=warn 2>&1 | grep -v " WARNING \|security risk\|^<string>" || true
    psql -d "$2" -qc "ANALYZE"
}

for SIZE in $SIZES; do
    TPL=bench_tpl_${SIZE}_$([ "$OCA" = 1 ] && echo oca || echo nooca)
    if [ -n "${REBUILD:-}" ] || ! psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname='$TPL'" | grep -q 1; then
        echo "== building dataset $TPL ($SIZE invoices) =="
        # built under another name and renamed at the end: a failed build is never reused
        dropdb --if-exists --force "$TPL"; dropdb --if-exists --force "${TPL}_building"
        createdb "${TPL}_building"
        "${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "${TPL}_building" -i "$MODULES" \
            --stop-after-init --log-level=warn
        start=$(date +%s)
        "$PY" build_dataset.py "${TPL}_building" "$SIZE" "$RUN_DATE"
        psql -d postgres -qc "ALTER DATABASE \"${TPL}_building\" RENAME TO \"$TPL\""
        echo "dataset built in $(( $(date +%s) - start ))s"
        printf 'build-%s\t{"seconds": %s}\n' "$SIZE" "$(( $(date +%s) - start ))" >> "$RESULTS"
    fi
    DB=bench_run_$SIZE
    copy_template "$TPL" "$DB"
    open_items=$(psql -d "$DB" -Atc "SELECT count(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted' AND NOT l.reconciled AND l.amount_residual <> 0")
    invoices=$(psql -d "$DB" -Atc "SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'")
    printf 'data-%s\t{"invoices": %s, "open_items": %s}\n' "$SIZE" "$invoices" "$open_items" >> "$RESULTS"
    echo "== ours: first run ($SIZE invoices, $open_items open items) =="
    measure "ours-first-$SIZE" "$DB" ours "$RUN_DATE" --check "$CHECK"
    echo "== ours: second run, same day =="
    measure "ours-second-$SIZE" "$DB" ours "$RUN_DATE"
    echo "== ours: one week later =="
    measure "ours-week-$SIZE" "$DB" ours "$WEEK_LATER" --check "$CHECK"
    if [ "$SIZE" = "${DELIVERY_SIZE:-20000}" ] && [ -z "${NO_DELIVERY:-}" ]; then
        # Letter PDFs are styled from the server's assets: serve this database
        # (no cron) while the delivery step is measured.
        PORT=${BENCH_PORT:-8070}
        if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
            echo "ERROR: port $PORT is taken; stop that server or set BENCH_PORT" >&2; exit 1
        fi
        "${ODOO_BIN[@]}" "${ODOO_DB_ARGS[@]}" -d "$DB" --http-port "$PORT" --max-cron-threads 0 \
            --db-filter "^$DB\$" --log-level=warn >/dev/null 2>&1 &
        SERVER=$!
        psql -d "$DB" -qc "INSERT INTO ir_config_parameter (key, value) VALUES ('report.url', 'http://127.0.0.1:$PORT') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/web/login" >/dev/null && break; sleep 1; done
        echo "== delivery: ${DELIVERY_LETTERS:-1000} letter PDFs batched, ${DELIVERY_SINGLE:-250} one by one, ${DELIVERY_FULL:-60} letters delivered =="
        measure "delivery-$SIZE" "$DB" delivery --letters "${DELIVERY_LETTERS:-1000}" \
            --single "${DELIVERY_SINGLE:-250}" --full "${DELIVERY_FULL:-60}"
        kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true
    fi
    dropdb --force "$DB"
    if [ "$OCA" = 1 ]; then
        DB=bench_oca_$SIZE
        copy_template "$TPL" "$DB"
        "$PY" measure.py "$DB" oca-setup "$RUN_DATE" >/dev/null
        echo "== OCA account_credit_control: first run =="
        measure "oca-first-$SIZE" "$DB" oca "$RUN_DATE"
        if [ "$SIZE" -le 20000 ]; then
            echo "== OCA: second run, same day =="
            measure "oca-second-$SIZE" "$DB" oca "$RUN_DATE"
        fi
        dropdb --force "$DB"
    fi
done

"$PY" report.py "$RESULTS" "$RUN_DATE" "$(git -C "$ROOT" rev-parse --short HEAD)" > "$OUT"
cat "$OUT"
echo "written to $OUT"
