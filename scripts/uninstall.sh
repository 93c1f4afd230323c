#!/usr/bin/env bash
# Removes what scripts/install.sh put in place: the running daemon is stopped, the systemd
# user service and the XDG autostart entry are removed (`deskguard service uninstall`),
# then every file and folder listed in ~/.local/share/deskguard/installed-files (the
# command, the application entry, the icon, the AppStream metadata, the completions) and
# the virtual environment. install.sh also copies this script there, so
# `bash ~/.local/share/deskguard/uninstall.sh` works without the checkout.
#
# Your history and your settings are yours: it asks before deleting either, and keeps
# them when there is nobody to ask (no terminal) and no option says otherwise.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: uninstall.sh [--keep-history | --delete-history] [--keep-config | --delete-config]

Removes deskguard as scripts/install.sh installed it. Without an option for them, asks
whether to delete the history (~/.local/state/deskguard) and the settings
(~/.config/deskguard); with no terminal to ask, keeps them.
EOF
}

# Set by the options; "ask" until one says keep or delete.
history_answer=ask
config_answer=ask

# Whether to delete FOLDER, holding WHAT; ANSWER is ask, keep or delete.
should_delete() {
    local answer=$1 what=$2 folder=$3 option=$4 reply
    case $answer in
    delete) return 0 ;;
    keep) return 1 ;;
    esac
    if [ -t 0 ]; then
        read -r -p "Delete $what in $folder? [y/N] " reply
        [[ $reply == [yY]* ]]
    else
        echo "kept $what in $folder (no terminal to ask; $option deletes it)"
        return 1
    fi
}

# Delete FOLDER (WHAT it holds) if the answer says so, else say it was kept.
remove_user_folder() {
    local answer=$1 what=$2 folder=$3 option=$4
    [ -d "$folder" ] || return 0
    if should_delete "$answer" "$what" "$folder" "$option"; then
        rm -rf -- "$folder"
        echo "removed $folder"
    elif [ "$answer" != ask ] || [ -t 0 ]; then
        echo "kept $what in $folder"
    fi
}

# Stop the daemon and wait until it has exited: it writes its history as it stops, and
# its files are about to go. The kernel drops its instance lock when it is gone.
stop_daemon() {
    local command=$1 lock=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/deskguard/daemon.lock}
    if "$command" stop 2>/dev/null; then
        if [ -n "$lock" ] && [ -e "$lock" ] && command -v flock >/dev/null; then
            flock --wait 20 "$lock" true || echo "warning: deskguard is still stopping" >&2
        fi
    fi
}

# Remove what the manifest lists: files first, then the folders install created, deepest
# first, each only if nothing else has been put in it since.
remove_listed() {
    local manifest=$1 path
    while IFS= read -r path; do
        case $path in
        /*/) ;;
        /*)
            if [ -f "$path" ] || [ -L "$path" ]; then
                rm -f -- "$path"
                echo "removed $path"
            fi
            ;;
        esac
    done <"$manifest"
    grep '^/.*/$' "$manifest" | sort -r | while IFS= read -r path; do
        rmdir -- "$path" 2>/dev/null || true
    done
}

main() {
    while [ $# -gt 0 ]; do
        case $1 in
        --keep-history) history_answer=keep ;;
        --delete-history) history_answer=delete ;;
        --keep-config) config_answer=keep ;;
        --delete-config) config_answer=delete ;;
        -h | --help)
            usage
            return 0
            ;;
        *)
            usage >&2
            return 2
            ;;
        esac
        shift
    done

    local share=${XDG_DATA_HOME:-$HOME/.local/share}
    local data=$share/deskguard
    local command=$data/venv/bin/deskguard
    local manifest=$data/installed-files

    if [ -x "$command" ]; then
        stop_daemon "$command"
        "$command" service uninstall ||
            echo "warning: \`deskguard service uninstall\` failed; see above" >&2
    fi
    if [ -f "$manifest" ]; then
        # Read before the data folder (which holds it) goes.
        local listed
        listed=$(mktemp)
        cp "$manifest" "$listed"
        rm -rf -- "$data"
        echo "removed $data"
        remove_listed "$listed"
        rm -f -- "$listed"
        # Tell running desktops the icon theme changed, as install did.
        [ ! -d "$share/icons/hicolor" ] || touch "$share/icons/hicolor"
    elif [ -d "$data" ]; then
        rm -rf -- "$data"
        echo "removed $data (it listed no other files)"
    else
        echo "deskguard is not installed for this user ($data does not exist)"
    fi
    if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR/deskguard" ]; then
        rm -rf -- "$XDG_RUNTIME_DIR/deskguard"  # the stopped daemon's socket and lock
    fi

    remove_user_folder "$history_answer" "your history" \
        "${XDG_STATE_HOME:-$HOME/.local/state}/deskguard" --delete-history
    remove_user_folder "$config_answer" "your settings" \
        "${XDG_CONFIG_HOME:-$HOME/.config}/deskguard" --delete-config
}

# Everything runs from this one call, read in full before it starts: the copy of this
# script in the data folder deletes itself along the way.
main "$@"
