# Sourced by scripts/start and scripts/test: make .venv (Python >= 3.11) and install Liaison in it.
#
#   ensure_venv SPEC    SPEC is what pip installs in editable mode: . or '.[test]'
#
# pip runs only when pyproject.toml or SPEC changed since the last successful install (editable
# installs pick up code changes by themselves), so later starts work offline.

ensure_venv() {
    local spec="$1" python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "liaison: $python not found; install Python 3.11 or newer (Debian 12: apt-get install python3 python3-venv)" >&2
        exit 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "liaison: Python 3.11 or newer is needed, $python is $("$python" -V 2>&1)" >&2
        exit 1
    fi
    if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        rm -rf .venv  # missing, or half made by a venv without ensurepip
        if ! "$python" -m venv .venv >/dev/null 2>&1; then
            rm -rf .venv
            if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
                echo "liaison: installing python3-venv with apt-get..."
                DEBIAN_FRONTEND=noninteractive apt-get update -qq
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            fi
            if ! "$python" -m venv .venv; then
                rm -rf .venv
                echo "liaison: '$python -m venv' does not work here. Install the venv module, e.g." >&2
                echo "    sudo apt-get install python3-venv" >&2
                echo "then run this command again." >&2
                exit 1
            fi
        fi
    fi
    local stamp=".venv/.liaison-install" want
    want="$spec $(cksum < pyproject.toml)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "liaison: installing $spec into .venv (the first time takes a minute)..."
        .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
        printf '%s' "$want" > "$stamp"
    fi
}
