#!/usr/bin/env bash
# Refreshes the translation template (deskguard/locale/deskguard.pot) from the code and the
# shipped catalog, then merges it into every language's .po: new messages arrive empty
# (or fuzzy, when close to an old one) for the translators. Needs Babel (the [test] extra).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=${PYBABEL:-.venv/bin/pybabel}

"$pybabel" extract -F scripts/babel.cfg -k NP_:1c,2 \
    --add-comments=Translators: --sort-by-file --project=deskguard --no-wrap \
    -o deskguard/locale/deskguard.pot .
for language in $(cat deskguard/locale/LANGUAGES); do
    command=update
    [ -f "deskguard/locale/$language/LC_MESSAGES/deskguard.po" ] || command=init
    "$pybabel" "$command" --no-wrap -D deskguard -d deskguard/locale -l "$language" \
        -i deskguard/locale/deskguard.pot
done
# The .mo files the installed (editable) package reads; building the package compiles them too.
"$pybabel" compile -D deskguard -d deskguard/locale
