#!/usr/bin/env bash
# make wheel: build the addon's wheel with whool into dist/, install it into a fresh
# virtualenv and check it there.
#
# 1. dist/odoo_addon_account_dunning_collect-<version>-py3-none-any.whl, built by whool
#    (pinned below, in the tools virtualenv, tools/tools_venv.sh) from
#    account_dunning_collect/pyproject.toml; it prints the wheel's Requires-Dist.
# 2. The wheel carries every file git tracks in the addon's data folders (views, data,
#    i18n, security, report, static, migrations, wizards' views), the manifest and
#    README.rst.
# 3. A fresh virtualenv, made with the python of Odoo's virtualenv (ODOO_PYTHON, as in
#    tools/odoo_env.sh; tools/setup.sh installs Odoo 19 when there is none), gets the
#    wheel with --no-deps; a .pth file puts Odoo's site-packages and the Odoo tree on its
#    path. There odoo.addons.account_dunning_collect and its engine are imported, and
#    must come from the fresh virtualenv, not from this repository.
#    KEEP_VENV=1 keeps that virtualenv (its path is printed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tools/tools_venv.sh"
WHOOL_VERSION=1.3.1
ADDON=account_dunning_collect
ODOO_PYTHON=${ODOO_PYTHON:-/opt/odoo19-venv/bin/python}
DIST=$ROOT/dist

die() { echo "ERROR: $*" >&2; exit 1; }
odoo_found() { "$ODOO_PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)' 2>/dev/null; }
if ! odoo_found; then
    echo "wheel: no Odoo 19 importable from ODOO_PYTHON=$ODOO_PYTHON: installing it with tools/setup.sh"
    ODOO_PYTHON=$ODOO_PYTHON bash "$ROOT/tools/setup.sh" >&2 && odoo_found \
        || die "no Odoo 19 importable from ODOO_PYTHON=$ODOO_PYTHON, and tools/setup.sh could not install one"
fi
tools_venv_ensure "whool==$WHOOL_VERSION" || exit 2

# --- 1. build ------------------------------------------------------------------
mkdir -p "$DIST"
rm -f "$DIST"/odoo_addon_${ADDON}-*.whl
echo "wheel: building with whool $WHOOL_VERSION"
"$TOOLS_VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps \
    --no-build-isolation --wheel-dir "$DIST" "$ROOT/$ADDON" || die "whool could not build the wheel"
WHEEL=$(ls "$DIST"/odoo_addon_${ADDON}-*.whl)
echo "wheel: $WHEEL"

# --- 2. its contents -------------------------------------------------------------
git -C "$ROOT" ls-files -- "$ADDON" >"$DIST/.tracked"
"$TOOLS_VENV/bin/python" - "$WHEEL" "$ADDON" "$DIST/.tracked" <<'PY'
import sys, zipfile
from email.parser import Parser

wheel, addon, tracked_list = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    names = set(archive.namelist())
    metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(archive.read(metadata_name).decode())
print(f"wheel: {metadata['Name']} {metadata['Version']}, Requires-Dist:")
for requirement in metadata.get_all("Requires-Dist") or []:
    print(f"    {requirement}")
data_dirs = ("views", "data", "i18n", "security", "report", "static", "migrations", "wizards")
tracked = [line.strip() for line in open(tracked_list) if line.strip()]
wanted = [
    path for path in tracked
    if path.split("/")[1] in data_dirs or path in (f"{addon}/__manifest__.py", f"{addon}/README.rst")
]
missing = [path for path in wanted if f"odoo/addons/{path}" not in names]
for folder in data_dirs:
    count = sum(1 for path in wanted if path.split("/")[1] == folder)
    if count:
        print(f"    {folder + '/':12} {count} files")
if missing:
    sys.exit("ERROR: the wheel lacks " + ", ".join(missing))
empty = [d for d in data_dirs if d != "wizards" and not any(p.startswith(f"odoo/addons/{addon}/{d}/") for p in names)]
if empty:
    sys.exit("ERROR: the wheel has nothing in " + ", ".join(empty))
print(f"wheel: carries all {len(wanted)} data files git tracks in the addon, its manifest and README.rst")
PY
rm -f "$DIST/.tracked"

# --- 3. a fresh virtualenv with the wheel -------------------------------------------
VENV=$(mktemp -d /tmp/dunning_wheel_venv_XXXX)
[ -n "${KEEP_VENV:-}" ] || trap 'rm -rf "$VENV"' EXIT
"$ODOO_PYTHON" -m venv "$VENV" || die "could not create a virtualenv with $ODOO_PYTHON"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$WHEEL" \
    || die "could not install $WHEEL"
# Odoo (and its dependencies) from Odoo's virtualenv, the addon only from the wheel
ODOO_SITE=$("$ODOO_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ODOO_ROOT=$("$ODOO_PYTHON" -c 'import odoo.release, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__))))')
VENV_SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$ODOO_SITE" "$ODOO_ROOT" >"$VENV_SITE/odoo_from_odoo_venv.pth"
(cd /tmp && "$VENV/bin/python" - "$VENV" "$ROOT" <<'PY') || die "the installed wheel does not import"
import os, sys

venv, repo = (os.path.realpath(p) for p in sys.argv[1:])
import odoo.addons.account_dunning_collect as addon
import odoo.addons.account_dunning_collect.engine as engine
import odoo.addons.account_dunning_collect.engine.escalation as escalation
import odoo.release

for module in (addon, engine, escalation):
    path = os.path.realpath(module.__file__)
    if not path.startswith(venv + os.sep) or path.startswith(repo + os.sep):
        sys.exit(f"ERROR: {module.__name__} was imported from {path}, not from the wheel in {venv}")
    print(f"wheel: import {module.__name__} -> {path}")
print(f"wheel: with Odoo {odoo.release.version} from {os.path.dirname(odoo.release.__file__)}")
PY
echo "wheel: OK ${KEEP_VENV:+(virtualenv kept: $VENV)}"
