"""The tray menu as a popup at the pointer, for trays without a native menu (pystray's xorg).

`python -m deskguard.tray.popup` is started by the tray on a click. It is a thin client:
it asks the running daemon for its status over the control socket, shows the same entries
as the tray menu (a Tk menu), and performs the chosen one through the control socket too.
It exits when the menu closes, chosen or not.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from deskguard import ipc
from deskguard.errors import UserError
from deskguard.i18n import use_language
from deskguard.i18n.configured import configured_language
from deskguard.tray.app import effects_for, notify_user
from deskguard.tray.menu import Entry, build_menu, perform

if TYPE_CHECKING:
    import tkinter as tk

GRAB_RETRY_SECONDS = 2.0
"""How long to retry posting the menu while another client still holds the pointer grab."""

log = logging.getLogger("deskguard.tray.popup")


def send_command(cmd: str, **args: Any) -> dict[str, Any]:
    return ipc.call(cmd, args)


def choose(entries: tuple[Entry, ...]) -> Entry | None:
    """Show `entries` as a popup menu at the pointer; the entry chosen, or None if dismissed."""
    import tkinter as tk

    root = tk.Tk(className="deskguard")
    root.withdraw()
    chosen: list[Entry] = []

    def pick(entry: Entry) -> None:
        chosen.append(entry)

    menu = _tk_menu(root, entries, pick)
    # Tk unposts the menu before it runs the command, and the Unmap arrives after both.
    menu.bind("<Unmap>", lambda _event: root.after_idle(root.quit))
    x, y = root.winfo_pointerxy()
    root.after_idle(_post, root, menu, x, y, time.monotonic() + GRAB_RETRY_SECONDS)
    root.mainloop()
    root.destroy()
    return chosen[0] if chosen else None


def _tk_menu(parent: tk.Misc, entries: tuple[Entry, ...], pick: Callable[[Entry], None]) -> tk.Menu:
    import tkinter as tk

    menu = tk.Menu(parent, tearoff=False)
    for entry in entries:
        state: Literal["normal", "disabled"] = "normal" if entry.enabled else "disabled"
        if entry.separator:
            menu.add_separator()
        elif entry.submenu:
            cascade = _tk_menu(menu, entry.submenu, pick)
            menu.add_cascade(label=entry.label, menu=cascade, state=state)
        else:
            menu.add_command(label=entry.label, state=state, command=partial(pick, entry))
    return menu


def _post(root: tk.Tk, menu: tk.Menu, x: int, y: int, give_up_at: float) -> None:
    import tkinter as tk

    try:
        menu.tk_popup(x, y)
        menu.focus_force()  # keys work at once, even with no window manager to give focus
    except tk.TclError:
        # The click that opened us may still hold a grab for a moment ("grab failed").
        if time.monotonic() < give_up_at:
            root.after(50, _post, root, menu, x, y, give_up_at)
        else:
            log.warning("the menu could not take the pointer; giving up")
            root.quit()


def main() -> int:
    logging.basicConfig(format="deskguard popup: %(message)s")
    # The language the daemon passed down, else the one its config files choose.
    use_language(configured_language(()))
    try:
        status = ipc.Status.from_json(ipc.call("status", timeout=5))
    except UserError as exc:
        notify_user(log, exc.title, exc.message)
        return exc.exit_code
    entry = choose(build_menu(status))
    if entry is not None:
        perform(entry, effects_for(send_command, log, status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
