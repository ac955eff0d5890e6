#!/usr/bin/env bash
# Regenerate the Korean catalogue: collect strings, fill them from locale/ko_translations.py, compile.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l ko --no-obsolete --ignore=.venv --ignore=bench --ignore=tests >/dev/null
.venv/bin/python - <<'PY'
import runpy
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ko = runpy.run_path("locale/ko_translations.py")["KO"]
path = "locale/ko/LC_MESSAGES/django.po"
with open(path, "rb") as f:
    catalog = read_po(f, locale="ko")
catalog.fuzzy = False  # the header: a fuzzy header makes the .mo lose its Plural-Forms
for message in catalog:
    key = message.id if isinstance(message.id, str) else message.id[0]
    if key in ko:
        message.string = ko[key] if isinstance(message.id, str) else (ko[key],) * catalog.num_plurals
    elif message.id:
        # The table is the only source: makemessages' guesses from similar strings ("fuzzy", kept
        # by an earlier run) are often wrong, and a wrong translation is worse than none.
        message.string = "" if isinstance(message.id, str) else ("",) * catalog.num_plurals
    message.flags.discard("fuzzy")
with open(path, "wb") as f:
    write_po(f, catalog, width=120)
with open(path.replace(".po", ".mo"), "wb") as f:
    write_mo(f, catalog)
done = sum(1 for m in catalog if m.id and m.string and (m.string if isinstance(m.string, str) else m.string[0]))
print(f"ko: {done} of {len(catalog) - 1} strings translated")
PY
