#!/usr/bin/env bash
# Installs deskguard for the current user: a private virtual environment under
# ~/.local/share/deskguard/venv, the `deskguard` command in ~/.local/bin, and what makes it
# a desktop application, each where the XDG specifications say the desktop and the shells
# look in the user's data folder ($XDG_DATA_HOME, ~/.local/share): the application entry
# (applications/), its icon (icons/hicolor/), its AppStream metadata (metainfo/) and the
# bash, zsh and fish completions. Every file and folder it creates outside the venv is
# listed in ~/.local/share/deskguard/installed-files, so that uninstall.sh (copied there
# too) removes exactly what was put in place, even once this checkout is gone.
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

share=${XDG_DATA_HOME:-$HOME/.local/share}
data=$share/deskguard
bin=$HOME/.local/bin
app_id=io.github.deskguard
shipped=config/desktop
manifest=$data/installed-files

created=()  # what this run creates, for the manifest

make_dir() {  # mkdir -p DIR, noting each folder that did not exist yet
    local dir=$1 missing=()
    while [ ! -d "$dir" ]; do
        missing+=("$dir/")
        dir=$(dirname "$dir")
    done
    mkdir -p "$1"
    created+=("${missing[@]}")
}

write() {  # write DEST COMMAND...: DEST becomes what COMMAND prints, never half-written
    local dest=$1
    shift
    make_dir "$(dirname "$dest")"
    "$@" >"$dest.partial"
    chmod 644 "$dest.partial"
    mv -f "$dest.partial" "$dest"
    created+=("$dest")
}

make_dir "$data"
python3 -m venv "$data/venv"
"$data/venv/bin/python" -m pip install --quiet --upgrade pip
"$data/venv/bin/python" -m pip install --quiet .
make_dir "$bin"
ln -sf "$data/venv/bin/deskguard" "$bin/deskguard"
created+=("$bin/deskguard")
command=$bin/deskguard

# The entry's commands name the command just installed by its absolute path: a session
# started before ~/.local/bin existed does not have it on its PATH.
write "$share/applications/$app_id.desktop" \
    "$data/venv/bin/python" -m deskguard.platform.desktop_entry "$command"
for icon in "$shipped"/icons/hicolor/*/apps/"$app_id".*; do
    write "$share/icons/${icon#"$shipped"/icons/}" cat "$icon"
done
# The Icon Theme spec's way to tell running desktops that a theme folder changed.
touch "$share/icons/hicolor"
write "$share/metainfo/$app_id.metainfo.xml" \
    "$data/venv/bin/python" -m deskguard.platform.desktop_entry --metainfo

# Completions as click generates them; each asks `deskguard` itself when Tab is pressed.
# bash-completion loads the one named after the command on its first completion;
# fish reads vendor_completions.d in its data folders; zsh needs the folder on its fpath.
bash_dir=${BASH_COMPLETION_USER_DIR:-$share/bash-completion}
write "${bash_dir%%:*}/completions/deskguard" env _DESKGUARD_COMPLETE=bash_source "$command"
write "$share/zsh/site-functions/_deskguard" env _DESKGUARD_COMPLETE=zsh_source "$command"
write "$share/fish/vendor_completions.d/deskguard.fish" \
    env _DESKGUARD_COMPLETE=fish_source "$command"

# The uninstaller beside the venv, so it works without this checkout. It removes the data
# folder as a whole, so neither it nor the manifest is listed.
cp scripts/uninstall.sh "$data/uninstall.sh"
# A reinstall keeps what an earlier run created: those folders exist now, but are still ours.
{
    [ ! -f "$manifest" ] || cat "$manifest"
    printf '%s\n' "${created[@]}"
} | skip="$data/" awk 'length && $0 != ENVIRON["skip"]' | sort -u >"$manifest.partial"
mv -f "$manifest.partial" "$manifest"

echo "installed: $command, with its application entry, icon and shell completions"
echo "start it at login with: deskguard service install   (or --autostart)"
if [[ ${SHELL:-} == */zsh ]]; then
    echo "zsh completion: add  fpath=(${share/#"$HOME"/\~}/zsh/site-functions \$fpath)" \
        " to ~/.zshrc before compinit"
fi
echo "remove it all again with: bash $data/uninstall.sh"
