"""The hints each Notify call carries: whose notice it is, what kind, and whether it stays."""

from __future__ import annotations

from pathlib import Path

from deskguard.paths import APP_ID
from deskguard.platform.notify import Notice
from deskguard.platform.notify.dbus import notify_hints

REMINDER = Notice("Time to stand up", "45 min.", (("stretch", "Stretch now"),))
PLAIN = Notice("Your day", "3 stretches.", urgency="low")


def values(notice: Notice, *capabilities: str) -> dict[str, object]:
    return {name: hint.value for name, hint in notify_hints(notice, capabilities).items()}


def test_every_notice_names_the_application_entry() -> None:
    for notice in (REMINDER, PLAIN):
        assert values(notice)["desktop-entry"] == APP_ID


def test_a_reminder_and_a_plain_notice_have_categories_of_their_own() -> None:
    assert values(REMINDER)["category"] == "x-deskguard.reminder"
    assert values(PLAIN, "persistence") == {
        "urgency": 0,
        "desktop-entry": APP_ID,
        "category": "x-deskguard.notice",
    }


def test_a_reminder_is_resident_only_where_the_server_keeps_notices() -> None:
    assert "resident" not in values(REMINDER, "actions", "body")
    assert values(REMINDER, "actions", "persistence")["resident"] is True


def test_a_picture_goes_as_a_file_uri_and_only_when_there_is_one() -> None:
    with_picture = Notice("Time to stand up", "45 min.", image=Path("/tmp/pictures/crunch.png"))
    assert values(with_picture)["image-path"] == "file:///tmp/pictures/crunch.png"
    assert "image-path" not in values(REMINDER)
