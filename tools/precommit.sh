#!/usr/bin/env bash
# make precommit: every pre-commit hook of .pre-commit-config.yaml on all files.
#
# pre-commit itself (pinned below) lives in the tools virtualenv (tools/tools_venv.sh,
# outside the repository); the hooks' own environments are made by pre-commit from PyPI
# and the npm registry (with the system's node) and cached in ~/.cache/pre-commit. The
# first run installs them (about four minutes), later runs only check.
#
#   Arguments go to pre-commit run (default: --all-files --show-diff-on-failure), e.g.
#   tools/precommit.sh prettier --all-files runs one hook.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tools/tools_venv.sh"
PRE_COMMIT_VERSION=4.7.0

# node and npm for the prettier hook: the system's (pre-commit cannot download one here)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "precommit: installing node and npm (Debian packages nodejs, npm)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "ERROR: the prettier hook needs node and npm: install them (e.g. apt-get install nodejs npm)" >&2
        exit 2
    fi
fi
tools_venv_ensure "pre-commit==$PRE_COMMIT_VERSION" || exit 2

cd "$ROOT"
[ $# -gt 0 ] || set -- --all-files --show-diff-on-failure
exec "$TOOLS_VENV/bin/pre-commit" run "$@"
