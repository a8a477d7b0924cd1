# Sourced by the project's scripts: finds Odoo 19 and PostgreSQL, or says clearly what is missing.
# Without an Odoo 19, tools/setup.sh installs one (from ODOO_SRC, see there) first.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PYTHON=${ODOO_PYTHON:-/opt/odoo19-venv/bin/python}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-root}

if ! "$ODOO_PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)' 2>/dev/null; then
    echo "No Odoo 19 importable from ODOO_PYTHON=$ODOO_PYTHON: installing it with tools/setup.sh" \
         "(ODOO_SRC=${ODOO_SRC:-the official Odoo repository, branch 19.0})." >&2
    if ! ODOO_PYTHON=$ODOO_PYTHON bash "$ROOT/tools/setup.sh" >&2 \
       || ! "$ODOO_PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)' 2>/dev/null; then
        echo "ERROR: no Odoo 19 importable from ODOO_PYTHON=$ODOO_PYTHON, and tools/setup.sh could not install one." >&2
        echo "       Point ODOO_SRC at an Odoo 19 tree, archive or git URL (ODOO_SRC=/path/to/odoo-19 make test)," >&2
        echo "       or ODOO_PYTHON at the python of a virtualenv with Odoo 19 (README, 'Requirements')." >&2
        exit 2
    fi
fi
ODOO_ROOT=$("$ODOO_PYTHON" -c 'import odoo.release, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__))))')
if [ -f "$ODOO_ROOT/odoo-bin" ]; then
    ODOO_BIN=("$ODOO_PYTHON" "$ODOO_ROOT/odoo-bin")
else
    ODOO_BIN=("$ODOO_PYTHON" -m odoo)
fi
ADDONS_PATH="$ODOO_ROOT/addons,$ODOO_ROOT/odoo/addons,$ROOT"
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null && \
   ! "$ODOO_PYTHON" -c "import psycopg2; psycopg2.connect(host='$PGHOST', port=$PGPORT, user='$PGUSER', dbname='postgres').close()" 2>/dev/null; then
    echo "ERROR: PostgreSQL does not answer on $PGHOST:$PGPORT as role $PGUSER." >&2
    echo "       Start it (e.g. 'pg_ctlcluster 15 main start') or set PGHOST/PGPORT/PGUSER." >&2
    exit 2
fi
ODOO_DB_ARGS=(--db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" --addons-path "$ADDONS_PATH")

install_python_deps() {
    # The addon's own Python dependencies (requirements.txt, and with "test" the
    # test-only ones of requirements-test.txt), from PyPI into Odoo's venv.
    local files=("$ROOT/requirements.txt")
    [ "${1:-}" = test ] && files+=("$ROOT/requirements-test.txt")
    for file in "${files[@]}"; do
        if grep -qv '^\s*\(#\|$\)' "$file" 2>/dev/null; then
            "$ODOO_PYTHON" -m pip install --quiet --disable-pip-version-check -r "$file"
        fi
    done
}
