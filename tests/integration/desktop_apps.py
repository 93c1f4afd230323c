"""What a desktop shell does with an installed application, done by GLib and GTK themselves.

GNOME Shell, Cinnamon, Budgie, XFCE's and LXDE's menus and most docks find application
entries with GLib's GDesktopAppInfo, launch them and their actions through it, and look
icons up in the icon theme the way GTK does, so these answers are the desktop's own.
GLib and GTK read the XDG folders once per process: each question is a process of its own,
run in the test desktop's environment:

    python -m tests.integration.desktop_apps entry ID          the entry's file and actions, as JSON
    python -m tests.integration.desktop_apps launch ID [ACTION] launch it, or one of its actions
    python -m tests.integration.desktop_apps icon NAME SIZE     the file the icon theme picks
    python -m tests.integration.desktop_apps metainfo FILE LOCALE  its texts in LOCALE, as JSON

Software centres (GNOME Software, KDE Discover) read AppStream metadata with the AppStream
library, which `metainfo` asks.

A launched program inherits this process's output: give `launch` a log file, not a pipe.
"""

from __future__ import annotations

import json
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("AppStream", "1.0")
from gi.repository import AppStream, Gio, Gtk  # noqa: E402  (after the versions are chosen)


def _app(desktop_id: str) -> Gio.DesktopAppInfo:
    app = Gio.DesktopAppInfo.new(desktop_id)
    if app is None:
        raise SystemExit(f"no application entry {desktop_id!r} in the XDG data folders")
    return app


def entry(desktop_id: str) -> dict[str, object] | None:
    app = Gio.DesktopAppInfo.new(desktop_id)
    if app is None:
        return None
    return {
        "filename": app.get_filename(),
        "name": app.get_name(),
        "description": app.get_description(),  # the Comment, in the user's language
        "icon": app.get_string("Icon"),
        "commandline": app.get_commandline(),
        "actions": {action: app.get_action_name(action) for action in app.list_actions()},
        "should_show": app.should_show(),
    }


def launch(desktop_id: str, action: str | None) -> None:
    app = _app(desktop_id)
    if action is None:
        app.launch([], None)
    else:
        app.launch_action(action, None)


def icon(name: str, size: int) -> str:
    # GTK takes the PNG of exactly that size, else the scalable SVG (hicolor's is for 1-256).
    found = Gtk.IconTheme.get_default().lookup_icon(name, size, Gtk.IconLookupFlags(0))
    return found.get_filename() if found is not None else ""


def metainfo(path: str, locale: str) -> dict[str, object]:
    metadata = AppStream.Metadata()
    metadata.set_locale("ALL")  # every language the file has, as a catalog holds them
    metadata.parse_file(Gio.File.new_for_path(path), AppStream.FormatKind.XML)
    component = metadata.get_component()
    component.set_active_locale(locale)
    screenshots = component.get_screenshots()
    for screenshot in screenshots:
        screenshot.set_active_locale(locale)
    return {
        "name": component.get_name(),
        "summary": component.get_summary(),
        "description": component.get_description(),
        "keywords": component.get_keywords(),
        "captions": [screenshot.get_caption() for screenshot in screenshots],
    }


def main(argv: list[str]) -> None:
    match argv:
        case ["entry", desktop_id]:
            print(json.dumps(entry(desktop_id)))
        case ["launch", desktop_id, *action] if len(action) <= 1:
            launch(desktop_id, action[0] if action else None)
        case ["icon", name, size]:
            print(icon(name, int(size)))
        case ["metainfo", path, locale]:
            print(json.dumps(metainfo(path, locale)))
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
