#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the integration tests drive for real: an X server
# without a screen (Xvfb), the dunst notification server, the trayer system tray and
# xfce4-panel's Status Tray (a real StatusNotifier host, with xfconf), xdotool
# and ImageMagick to act and look like a person, Tk, the GTK/AppIndicator pieces
# pystray's menu backends need (PyGObject builds against them), the freedesktop validators
# of the desktop entry and AppStream metadata, the icon's SVG renderer, and the shells
# whose completions the install puts in place (bash-completion, zsh, fish), GNOME's
# compositor and shell run headless (mutter, gnome-shell, gjs for its screensaver proxy),
# and a sound server with a null sink to hear the routine's cues on (PipeWire, its client
# tools, the freedesktop sound theme, espeak-ng; not the pulseaudio package, it removes
# pipewire-pulse), and the Wayland compositors the Wayland idle and fullscreen tests run
# (KDE's kwin_wayland, and sway with wtype to press a key).
# Quiet and fast when everything is already there (checked with dpkg-query), so it can run
# before every test run; otherwise apt-get as root, or through sudo when not root.
set -euo pipefail

packages=(
    xvfb dbus-x11 dunst libnotify-bin xdotool x11-utils imagemagick trayer
    xfce4-panel xfconf
    python3-tk tk
    gir1.2-gtk-3.0 gir1.2-ayatanaappindicator3-0.1 libgirepository1.0-dev libcairo2-dev
    gir1.2-appstream-1.0  # the AppStream library software centres read metadata with
    pkg-config
    desktop-file-utils appstream librsvg2-bin bash-completion zsh fish
    mutter gnome-shell gjs  # GNOME idle monitor, remote input and lock screen, headless
    pulseaudio-utils pipewire pipewire-pulse wireplumber sound-theme-freedesktop espeak-ng
    kwin-wayland sway wtype  # Wayland compositors (idle, fullscreen) and a key press
)
python=${PYTHON:-python3}
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    packages+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "system-packages.sh: not a Debian-like system; install the equivalents of:" >&2
    echo "  ${packages[*]}" >&2
    exit 0
fi

# One dpkg-query for all of them; a package it does not know is simply not listed.
installed=" $(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' "${packages[@]}" 2>/dev/null |
    awk '$1 == "ii" { printf "%s ", $2 }' || true)"
missing=()
for package in "${packages[@]}"; do
    [[ $installed == *" $package "* ]] || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        as_root=()
    elif command -v sudo >/dev/null; then
        as_root=(sudo)
    else
        echo "system-packages.sh: not root and no sudo; please install: ${missing[*]}" >&2
        exit 1
    fi
    echo "installing: ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# python3-tk only serves Debian's own python3; a Python built elsewhere (pyenv, ...) has
# tkinter only if Tk's headers were present when it was compiled.
if ! "$python" -c 'import tkinter' 2>/dev/null; then
    echo "system-packages.sh: warning: $python has no tkinter (it was built without Tk);" >&2
    echo "  rebuild it after installing tk-dev, or use Debian's python3 with python3-tk" >&2
fi
