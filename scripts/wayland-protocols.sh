#!/usr/bin/env bash
# Regenerates the Python bindings of the Wayland protocols pywayland does not ship
# (deskguard/platform/wayland/protocols/): KDE's org_kde_kwin_idle and wlroots'
# zwlr_foreign_toplevel_manager_v1. Each XML comes from a Debian package:
#   wayland.xml        libwayland-dev            (the core interfaces they refer to)
#   idle.xml           plasma-wayland-protocols
#   wlr-foreign-...    librust-wayland-protocols-dev (it carries the wlr-protocols XMLs);
#                      Debian 13 and later also package them as wlr-protocols.
# Run it after changing the pywayland version; commit what it writes.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
out=deskguard/platform/wayland/protocols

find_xml() {  # the first existing file among the arguments, or a clear error
    for candidate in "$@"; do
        [ -f "$candidate" ] && { echo "$candidate"; return; }
    done
    echo "wayland-protocols.sh: none of these exists: $*" >&2
    exit 1
}
core=$(find_xml /usr/share/wayland/wayland.xml)
kde_idle=$(find_xml /usr/share/plasma-wayland-protocols/idle.xml)
# shellcheck disable=SC2046  # the glob picks whichever crate version is installed
wlr_toplevel=$(find_xml \
    /usr/share/wlr-protocols/unstable/wlr-foreign-toplevel-management-unstable-v1.xml \
    $(ls -d /usr/share/cargo/registry/wayland-protocols-*/wlr-protocols/unstable 2>/dev/null |
        sed 's|$|/wlr-foreign-toplevel-management-unstable-v1.xml|'))

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$python" -m pywayland.scanner -i "$core" "$kde_idle" "$wlr_toplevel" -o "$scratch"
# The core interfaces are pywayland's own (the registry hands out its classes), so the
# generated modules import them from there instead of from a copy of wayland.py.
for pair in idle.py:kde_idle.py \
    wlr_foreign_toplevel_management_unstable_v1.py:wlr_foreign_toplevel.py; do
    sed 's/^from \.wayland import /from pywayland.protocol.wayland import /' \
        "$scratch/${pair%%:*}" >"$out/${pair##*:}"
done
echo "wrote $out/kde_idle.py and $out/wlr_foreign_toplevel.py"
