# Sourced by tools/precommit.sh and tools/wheel_check.sh: the small virtualenv of the
# project's developer tools (pre-commit, whool), outside the repository, with pinned
# versions from PyPI. tools_venv_ensure NAME==VERSION... installs what is missing.
#
#   TOOLS_VENV    where it lives (default ~/.cache/account_dunning_collect/tools-venv)
#   TOOLS_PYTHON  the python that creates it (default python3; 3.10 or later)
TOOLS_VENV=${TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/account_dunning_collect/tools-venv}
TOOLS_PYTHON=${TOOLS_PYTHON:-python3}

tools_venv_ensure() {
    local requirement name version missing=()
    for requirement in "$@"; do
        name=${requirement%%==*} version=${requirement#*==}
        [ "$("$TOOLS_VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null)" = "$version" ] \
            || missing+=("$requirement")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ ! -x "$TOOLS_VENV/bin/python" ]; then
        "$TOOLS_PYTHON" -m venv "$TOOLS_VENV" \
            || { echo "ERROR: could not create the virtualenv $TOOLS_VENV with $TOOLS_PYTHON" >&2; return 2; }
    fi
    echo "tools: installing ${missing[*]} into $TOOLS_VENV"
    "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" \
        || { echo "ERROR: could not install ${missing[*]} from PyPI" >&2; return 2; }
}
