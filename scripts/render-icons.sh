#!/usr/bin/env bash
# Renders the application icon's PNG sizes from its one source, the scalable SVG, into the
# hicolor theme folders next to it. The PNGs are committed (installing needs no renderer);
# run this after changing the SVG. Needs rsvg-convert (Debian package librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."

# The hicolor sizes desktops look up for application icons (menus, docks, notifications).
sizes=(16 22 24 32 48 64 128 256)
theme=config/desktop/icons/hicolor
source_svg=$theme/scalable/apps/io.github.deskguard.svg

for size in "${sizes[@]}"; do
    mkdir -p "$theme/${size}x${size}/apps"
    rsvg-convert --width "$size" --height "$size" --output \
        "$theme/${size}x${size}/apps/io.github.deskguard.png" "$source_svg"
done
echo "rendered ${sizes[*]} from $source_svg"
