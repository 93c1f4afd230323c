"""The texts of the AppStream metadata that software centres show (the summary, the
description's paragraphs and points, the screenshot's caption, the search keywords),
translated like any other message.

AppStream metadata carries its translations itself, as a copy of each element with an
`xml:lang` attribute beside the English one (`<summary xml:lang="de">…</summary>`), the
way gettext's ITS rules for metainfo write them: `localized_metainfo` adds them from
deskguard's catalogs when the file is installed, and the software centre picks the user's.
The name and the developer's name stay as they are (AppStream asks for them untranslated).
`extract` is the Babel extraction method for the shipped file (scripts/babel.cfg).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO
from xml.sax.saxutils import escape, unescape

from deskguard.i18n import shipped_catalogs

# One element people read, written on its own as the shipped file writes them: no
# attributes, nothing nested, its text on one line or several.
_READ = re.compile(
    r"^(?P<indent>[ \t]*)<(?P<tag>summary|p|li|caption|keyword)>(?P<body>[^<]*)</(?P=tag)>",
    re.M,
)

COMMENTS = {
    "summary": "Translators: the one line a software centre shows under deskguard's name.",
    "p": "Translators: a paragraph of deskguard's description in software centres.",
    "li": "Translators: a point of deskguard's description in software centres.",
    "caption": "Translators: the caption of a screenshot in software centres.",
    "keyword": "Translators: a search word for software centres; one word or two.",
}
# A keyword is a single word, which the code may well use in another sense.
KEYWORD_CONTEXT = "metainfo keyword"


def _message(body: str) -> str:
    """The English text of an element: XML unescaped, its line breaks and indents one space
    each (as software centres show it)."""
    return " ".join(unescape(body).split())


def localized_metainfo(text: str) -> str:
    """`text`, AppStream metadata, with each element people read followed by its
    translation into every shipped language, where that language has one."""
    catalogs = shipped_catalogs()

    def with_translations(found: re.Match[str]) -> str:
        indent, tag, english = found["indent"], found["tag"], _message(found["body"])
        copies = [found[0]]
        for language, catalog in catalogs.items():
            if tag == "keyword":
                translated = catalog.pgettext(KEYWORD_CONTEXT, english)
            else:
                translated = catalog.gettext(english)
            if translated != english:
                copies.append(f'{indent}<{tag} xml:lang="{language}">{escape(translated)}</{tag}>')
        return "\n".join(copies)

    return _READ.sub(with_translations, text)


def extract(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str | None, str | tuple[str, str], list[str]]]:
    """Babel's extraction method: (line, function, message, translators' comments)."""
    text = fileobj.read().decode("utf-8")
    for found in _READ.finditer(text):
        line = text.count("\n", 0, found.start()) + 1
        comments = [COMMENTS[found["tag"]]]
        if found["tag"] == "keyword":  # NP_ as babel.cfg's keywords know it: (context, text)
            yield line, "NP_", (KEYWORD_CONTEXT, _message(found["body"])), comments
        else:
            yield line, None, _message(found["body"]), comments
