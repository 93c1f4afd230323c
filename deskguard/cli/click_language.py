"""click's own messages ("Usage:", "Options:", "Show this message and exit.", its usage
errors) in the language deskguard speaks.

click ships no translations and translates with the process-wide gettext functions: they
look up the global text domain, in the language that LANGUAGE / LC_ALL / LC_MESSAGES / LANG
name at the moment of each call. deskguard ships click's catalogs as the "click" domain
(deskguard/locale/*/LC_MESSAGES/click.po, refreshed by scripts/update-translations.sh).

Only the command line does this: it is a short-lived process of its own, so setting the
global text domain and LANGUAGE here touches nobody else. The daemon prints nothing of
click's, and `deskguard run` hands it the environment as it found it (`environment_as_found`).
"""

from __future__ import annotations

import gettext
import os

from deskguard.i18n import LOCALE_DIR, current_language

CLICK_DOMAIN = "click"

_found_language: str | None = None
"""LANGUAGE as the command line found it, None when unset; kept once `speak_through_click`
has set it."""
_changed = False


def speak_through_click(chosen: str) -> None:
    """click's messages from now on in deskguard's current language.

    `chosen` is `[ui] language` ("" when unset): without one, click, like deskguard, follows
    the environment's variables and they are left alone. With one, it must beat the
    environment, which only LANGUAGE can do; an unknown language leaves deskguard in English,
    and then click too ("en": no catalog, click's own English)."""
    global _found_language, _changed
    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(CLICK_DOMAIN)
    if chosen:
        if not _changed:
            _found_language, _changed = os.environ.get("LANGUAGE"), True
        os.environ["LANGUAGE"] = current_language()


def environment_as_found() -> dict[str, str]:
    """This process's environment with LANGUAGE as it was before `speak_through_click` set
    it: for the daemon, whose language must follow its config on a reload, not what the
    command line that started it happened to choose."""
    environment = dict(os.environ)
    if _changed:
        environment.pop("LANGUAGE", None)
        if _found_language is not None:
            environment["LANGUAGE"] = _found_language
    return environment
