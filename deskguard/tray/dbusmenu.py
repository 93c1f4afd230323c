"""The tray menu model (deskguard.tray.menu) as a com.canonical.dbusmenu layout.

Pure data: no bus here. `MenuLayout` gives every entry an id that stays the same from one
status to the next, keyed by what the entry does rather than where it is: hosts (GNOME
above all) cache labels by id, and showed stale labels when ids followed positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbus_fast import Variant

from deskguard.tray.menu import Entry

ROOT_ID = 0
LAYOUT_SIGNATURE = "(ia{sv}av)"


def entry_key(entry: Entry, index: int) -> str:
    """What identifies an entry across menus: its action, else its kind and place."""
    if entry.action is not None:
        return repr(entry.action)
    if entry.submenu:
        return f"submenu:{entry.label}"
    # Separators and the status line have no action; their place among their siblings
    # is what stays the same while their label (the status line's) changes.
    return f"{'separator' if entry.separator else 'text'}:{index}"


def mnemonic_safe(label: str) -> str:
    """dbusmenu reads `_` as a mnemonic marker: a literal one is doubled."""
    return label.replace("_", "__")


def entry_properties(entry: Entry) -> dict[str, Variant]:
    if entry.separator:
        return {"type": Variant("s", "separator")}
    properties = {
        "label": Variant("s", mnemonic_safe(entry.label)),
        "enabled": Variant("b", entry.enabled),
        "visible": Variant("b", True),
    }
    if entry.submenu:
        properties["children-display"] = Variant("s", "submenu")
    if entry.icon_png is not None:
        properties["icon-data"] = Variant("ay", entry.icon_png)
    return properties


class MenuLayout:
    """The entries of the current menu by id, and the layout a host asks for."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.revision = 0
        self.entries: tuple[Entry, ...] = ()
        self._by_id: dict[int, Entry] = {}
        self._children: dict[int, list[int]] = {ROOT_ID: []}

    def replace(self, entries: tuple[Entry, ...]) -> tuple[bool, list[int]]:
        """Take a new menu; says whether its shape changed (a new layout revision) and
        which ids, already shown, now have other properties."""
        old_by_id, old_children = self._by_id, self._children
        self.entries = entries
        self._by_id, self._children = {}, {}
        self._place(ROOT_ID, "", entries)
        if self._children != old_children:
            self.revision += 1
            return True, []
        changed = [
            item_id
            for item_id, entry in self._by_id.items()
            if entry_properties(entry) != entry_properties(old_by_id[item_id])
        ]
        return False, changed

    def _place(self, parent: int, prefix: str, entries: tuple[Entry, ...]) -> None:
        children = self._children.setdefault(parent, [])
        for index, entry in enumerate(entries):
            key = prefix + entry_key(entry, index)
            item_id = self._ids.setdefault(key, len(self._ids) + 1)
            self._by_id[item_id] = entry
            children.append(item_id)
            if entry.submenu:
                self._place(item_id, key + "/", entry.submenu)

    def entry(self, item_id: int) -> Entry | None:
        return self._by_id.get(item_id)

    def properties(self, item_id: int, names: list[str] | None = None) -> dict[str, Variant]:
        entry = self._by_id.get(item_id)
        if entry is None:
            properties = {"children-display": Variant("s", "submenu")} if item_id == ROOT_ID else {}
        else:
            properties = entry_properties(entry)
        return {k: v for k, v in properties.items() if not names or k in names}

    def layout(self, parent: int, depth: int, names: list[str]) -> list[Any]:
        """The `(ia{sv}av)` tree under `parent`, `depth` levels deep (-1: all)."""
        children: list[Variant] = []
        if depth != 0:
            children = [
                Variant(LAYOUT_SIGNATURE, self.layout(child, depth - 1, names))
                for child in self._children.get(parent, [])
            ]
        return [parent, self.properties(parent, names), children]

    def ids(self) -> Iterator[int]:
        yield ROOT_ID
        yield from self._by_id
