"""What the daemon leaves out of its process rests on python-xlib's extension list: pin it."""

from __future__ import annotations

import subprocess
import sys

from deskguard.daemon.lean import XLIB_EXTENSIONS


def test_python_xlib_still_lists_its_extensions_as_the_daemon_expects() -> None:
    from Xlib import ext

    offered = getattr(ext, "__extensions__")  # noqa: B009 (untyped)
    assert isinstance(offered, list)
    assert all(isinstance(item, tuple) and len(item) == 2 for item in offered)
    names = {name for name, _module in offered}
    assert set(XLIB_EXTENSIONS) <= names  # the ones the daemon keeps are still there
    assert len(names) > len(XLIB_EXTENSIONS)  # and there is something to leave out


def test_leaving_out_keeps_only_the_extensions_the_daemon_uses() -> None:
    code = "from deskguard.daemon.lean import leave_out_unused\nleave_out_unused()\nimport ssl\n"
    blocked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert blocked.returncode != 0 and "ssl" in blocked.stderr  # TLS is left out
    code = (
        "from deskguard.daemon.lean import leave_out_unused\n"
        "leave_out_unused()\n"
        "from Xlib import ext\n"
        "print(sorted(name for name, _ in ext.__extensions__))\n"
    )
    kept = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert kept.stdout.strip() == str(sorted(XLIB_EXTENSIONS))


def test_the_wayland_adapters_import_pywayland_only_when_they_connect() -> None:
    code = (
        "import sys\n"
        "import deskguard.platform.activity, deskguard.platform.focus\n"
        "import deskguard.platform.wayland.idle, deskguard.platform.wayland.toplevels\n"
        "import deskguard.platform.focus.wayland_fullscreen\n"
        "print(sorted(m for m in sys.modules if m.startswith('pywayland')))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
