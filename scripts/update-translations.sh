#!/usr/bin/env bash
# Refreshes the translation templates and merges them into every language's .po: new
# messages arrive empty (or fuzzy, when close to an old one) for the translators. Two
# domains, each a template in deskguard/locale and a .po per language:
#   deskguard  deskguard's own messages, from the code and the shipped exercise catalog;
#   click      click's messages ("Usage:", "Options", its errors), which click itself does
#              not translate, from the click installed here: run this after upgrading it.
# Needs Babel (the [test] extra).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
locale=deskguard/locale
pybabel=${PYBABEL:-$root/.venv/bin/pybabel}
python=${PYTHON:-$root/.venv/bin/python}  # the one deskguard runs with: its click is translated

# merge DOMAIN: the template into each language's catalog (a new one for a new language).
merge() {
    local domain=$1 language command
    for language in $(cat "$locale/LANGUAGES"); do
        command=update
        [ -f "$locale/$language/LC_MESSAGES/$domain.po" ] || command=init
        "$pybabel" "$command" --no-wrap -D "$domain" -d "$locale" -l "$language" \
            -i "$locale/$domain.pot"
    done
}

"$pybabel" extract -F scripts/babel.cfg -k NP_:1c,2 \
    --add-comments=Translators: --sort-by-file --project=deskguard --no-wrap \
    -o "$locale/deskguard.pot" .
merge deskguard

# Extracted from click's parent folder, so that the locations read click/core.py:1305.
click=$("$python" -c 'import click, os; print(os.path.dirname(click.__file__))')
click_version=$("$python" -c 'import importlib.metadata as m; print(m.version("click"))')
(cd "$(dirname "$click")" && "$pybabel" extract --sort-by-file --no-wrap \
    --project=click --version="$click_version" -o "$root/$locale/click.pot" click)
# click also translates a message it keeps in a variable, `_(extra["required"])`, which no
# extractor can see (tests/unit/test_click_translations.py knows it too).
cat >>"$locale/click.pot" <<'EOF'
#. Not found by the extraction: click translates it from a variable.
#: click/core.py
msgid "required"
msgstr ""

EOF
merge click

# The .mo files the installed (editable) package reads; building the package compiles them too.
for domain in deskguard click; do
    "$pybabel" compile -D "$domain" -d "$locale"
done
