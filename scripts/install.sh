#!/usr/bin/env bash
# Installs deskguard for the current user: a private virtual environment under
# ~/.local/share/deskguard/venv and the `deskguard` command in ~/.local/bin.
# System packages it needs (python3-venv) are installed when root or sudo is available.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
    elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq "${need_apt[@]}"
    else echo "please install: ${need_apt[*]}" >&2; exit 1
    fi
fi

data=${XDG_DATA_HOME:-$HOME/.local/share}/deskguard
bin=$HOME/.local/bin
python3 -m venv "$data/venv"
"$data/venv/bin/python" -m pip install --quiet --upgrade pip
"$data/venv/bin/python" -m pip install --quiet .
mkdir -p "$bin"
ln -sf "$data/venv/bin/deskguard" "$bin/deskguard"
echo "installed: $bin/deskguard"
echo "start it at login with: deskguard service install   (or --autostart)"
