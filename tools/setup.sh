#!/usr/bin/env bash
# make setup: from a fresh machine to an Odoo 19 that can run the addon.
#
#   ODOO_PYTHON   a python that imports Odoo 19: used as it is (nothing installed
#                 but the addon's own dependencies).
#   ODOO_SRC      where to take Odoo 19 from when ODOO_PYTHON imports none:
#                 a local Odoo 19 tree (with odoo-bin), an archive (.tar.gz,
#                 .tgz, .zip) of one, or a git URL (shallow clone of branch
#                 ODOO_BRANCH). Default: https://github.com/odoo/odoo.git, 19.0.
#   ODOO_HOME     where the Odoo tree is kept   (default /opt/odoo19)
#   ODOO_VENV     where its virtualenv is made  (default /opt/odoo19-venv)
#
# Idempotent: with Odoo found and the dependencies there, a second call only checks.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_HOME=${ODOO_HOME:-/opt/odoo19}
ODOO_VENV=${ODOO_VENV:-/opt/odoo19-venv}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_VENV/bin/python}
ODOO_SRC=${ODOO_SRC:-https://github.com/odoo/odoo.git}
ODOO_BRANCH=${ODOO_BRANCH:-19.0}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}
[ "$PGUSER" = postgres ] && { echo "ERROR: Odoo refuses to run as the role 'postgres'; set PGUSER to another role." >&2; exit 2; }

say() { echo "setup: $*"; }
die() { echo "ERROR: $*" >&2; exit 2; }

odoo_found() { "$ODOO_PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)' 2>/dev/null; }

# --- system packages the Python builds need (psycopg2, python-ldap) ---------
SYSTEM_PACKAGES=(libpq-dev libldap2-dev libsasl2-dev python3-dev build-essential)
# What Odoo renders PDFs with (letters, print batches); without it, no PDF and its test is skipped.
PDF_PACKAGE=wkhtmltopdf
# The letters' font (DejaVu Sans): wkhtmltopdf embeds it, so the PDF carries real text.
FONT_PACKAGE=fonts-dejavu-core
system_packages() {
    command -v dpkg >/dev/null || { say "not Debian/Ubuntu: make sure ${SYSTEM_PACKAGES[*]} (or your system's equivalents) are installed"; return; }
    local missing=()
    for p in "${SYSTEM_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -eq 0 ]; then
        say "installing system packages ${missing[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        die "Odoo's Python packages need these system packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) and call make setup again."
    fi
}

# --- the Odoo tree ------------------------------------------------------------
fetch_odoo() {
    if [ -f "$ODOO_HOME/odoo-bin" ] && [ -d "$ODOO_HOME/odoo" ]; then
        say "Odoo tree found in $ODOO_HOME"
        return
    fi
    mkdir -p "$ODOO_HOME"
    if [ -d "$ODOO_SRC" ]; then
        [ -f "$ODOO_SRC/odoo-bin" ] || die "ODOO_SRC=$ODOO_SRC is a folder without odoo-bin: point it at the top of an Odoo 19 tree."
        say "copying Odoo from $ODOO_SRC to $ODOO_HOME"
        (cd "$ODOO_SRC" && tar cf - --exclude=.git --exclude=custom_addons --exclude=venv \
            odoo addons setup odoo-bin setup.py setup.cfg MANIFEST.in requirements.txt 2>/dev/null) \
            | (cd "$ODOO_HOME" && tar xf -)
    elif [ -f "$ODOO_SRC" ]; then
        say "unpacking $ODOO_SRC into $ODOO_HOME"
        local tmp; tmp=$(mktemp -d)
        case "$ODOO_SRC" in
            *.zip) (cd "$tmp" && unzip -q "$ODOO_SRC") ;;
            *) tar xf "$ODOO_SRC" -C "$tmp" ;;
        esac
        local top; top=$(dirname "$(find "$tmp" -maxdepth 3 -name odoo-bin | head -1)")
        [ -f "$top/odoo-bin" ] || die "no odoo-bin inside $ODOO_SRC"
        cp -a "$top/." "$ODOO_HOME/"
        rm -rf "$tmp"
    else
        say "cloning $ODOO_SRC (branch $ODOO_BRANCH, shallow) into $ODOO_HOME"
        git clone --quiet --depth 1 --branch "$ODOO_BRANCH" "$ODOO_SRC" "$ODOO_HOME.tmp" \
            || die "could not clone $ODOO_SRC. Without access to it, set ODOO_SRC to a local Odoo 19 tree or archive."
        rm -rf "$ODOO_HOME" && mv "$ODOO_HOME.tmp" "$ODOO_HOME"
    fi
    [ -f "$ODOO_HOME/odoo/release.py" ] || die "$ODOO_HOME has no odoo/release.py: not an Odoo tree."
    grep -q "version_info = (19," "$ODOO_HOME/odoo/release.py" || die "$ODOO_HOME is not Odoo 19."
}

# Some Odoo 19 copies name a view file that is not there; fix the copy (never the source).
fix_manifests() {
    local m
    for m in iap lunch cloud_storage_migration l10n_account_withholding_tax l10n_ar_withholding; do
        local man="$ODOO_HOME/addons/$m/__manifest__.py"
        if [ -f "$man" ] && grep -q "views/res_config_settings_views.xml" "$man" \
           && [ ! -f "$ODOO_HOME/addons/$m/views/res_config_settings_views.xml" ] \
           && [ -f "$ODOO_HOME/addons/$m/views/res_config_settings.xml" ]; then
            sed -i 's#views/res_config_settings_views.xml#views/res_config_settings.xml#' "$man"
            say "fixed the view file name in $m's manifest"
        fi
    done
}

# --- the virtualenv -----------------------------------------------------------
make_venv() {
    local py=${PYTHON:-}
    if [ -z "$py" ]; then
        for candidate in python3.11 python3.12 python3; do
            command -v "$candidate" >/dev/null && { py=$candidate; break; }
        done
    fi
    [ -n "$py" ] || die "no python3 found; Odoo 19 needs Python 3.10 to 3.13."
    [ -x "$ODOO_VENV/bin/python" ] || { say "creating the virtualenv $ODOO_VENV with $py"; "$py" -m venv "$ODOO_VENV"; }
    local pip=("$ODOO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
    "${pip[@]}" --upgrade "pip<25" "setuptools<81" wheel
    say "installing Odoo's requirements (a few minutes the first time)"
    # Odoo's requirements as pinned for this Python; phonenumbers is used by Odoo but not listed.
    "${pip[@]}" -r "$ODOO_HOME/requirements.txt" phonenumbers
    # Odoo itself, without dependencies (they are pinned above) and as a plain
    # path entry: the editable finder of newer setuptools breaks html_sanitize with lxml.
    "${pip[@]}" --no-deps --no-build-isolation --config-settings editable_mode=compat -e "$ODOO_HOME"
    ODOO_PYTHON=$ODOO_VENV/bin/python
}

# --- PostgreSQL ---------------------------------------------------------------
check_postgres() {
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null; then
            die "PostgreSQL does not answer on $PGHOST:$PGPORT. Start it: pg_ctlcluster \$(ls /etc/postgresql | tail -1) main start"
        fi
        die "PostgreSQL does not answer on $PGHOST:$PGPORT. Install and start it (Debian: apt-get install postgresql && pg_ctlcluster 15 main start), or set PGHOST/PGPORT."
    fi
    if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
            say "creating the PostgreSQL role $PGUSER"
            runuser -u postgres -- createuser -h "$PGHOST" -p "$PGPORT" --createdb "$PGUSER" 2>/dev/null \
                || runuser -u postgres -- createuser --createdb "$PGUSER" \
                || die "could not create the role $PGUSER: as the postgres user, run createuser --createdb $PGUSER"
        else
            die "the PostgreSQL role $PGUSER cannot connect. As the postgres user: createuser --createdb $PGUSER"
        fi
    fi
}

# --- wkhtmltopdf, for the letters' PDFs ---------------------------------------
pdf_tool() {
    local missing=()
    command -v wkhtmltopdf >/dev/null || missing+=("$PDF_PACKAGE")
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=("$FONT_PACKAGE")
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]} (Odoo renders the letters' PDFs with it, in this font)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || say "WARNING: could not install ${missing[*]}: letters get no PDF (or no embedded font) until it is installed"
    else
        say "WARNING: ${missing[*]} not installed: without wkhtmltopdf letters get no PDF (and the PDF test is skipped), without the font their text is not embedded. Install it (sudo apt-get install ${missing[*]}; wkhtmltopdf also as the build from wkhtmltopdf.org)."
    fi
}

check_postgres
pdf_tool
if odoo_found; then
    say "Odoo 19 found: $ODOO_PYTHON"
else
    system_packages
    fetch_odoo
    fix_manifests
    make_venv
    odoo_found || die "Odoo 19 is still not importable from $ODOO_PYTHON; see the messages above."
fi
# The addon's own dependencies (and the test ones).
for file in "$ROOT/requirements.txt" "$ROOT/requirements-test.txt"; do
    "$ODOO_PYTHON" -m pip install --quiet --disable-pip-version-check -r "$file"
done
say "ready: Odoo $("$ODOO_PYTHON" -c 'import odoo.release as r; print(r.version)') in $ODOO_PYTHON"
