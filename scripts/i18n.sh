#!/usr/bin/env bash
# Translations: extract every string of the app, its templates and its pages' scripts,
# merge them into each language's catalogue (courier/translations/<lang>/LC_MESSAGES/
# messages.po), and compile the .mo files the app loads (committed, so that the app runs
# right after `pip install -e .`).
#
#   scripts/i18n.sh            extract + update + compile
#   scripts/i18n.sh compile    compile only (after editing a .po)
#   scripts/i18n.sh init LANG  start the catalogue of a new language
#
# Then translate the new entries (empty msgstr, or marked "fuzzy") in each .po and run
# `scripts/i18n.sh compile`. tests/pages/test_i18n.py fails while an entry is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=courier/translations
POT=$(mktemp --suffix=.pot)
trap 'rm -f "$POT"' EXIT

extract() {
  "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext -k N_ --sort-by-file \
    --add-location=file --project=courier --copyright-holder="Courier coop" \
    --msgid-bugs-address="" -o "$POT" .
}

case "${1:-all}" in
  compile) ;;
  init)
    extract
    "$PYBABEL" init -i "$POT" -d "$DIR" -l "${2:?language code}"
    ;;
  all)
    extract
    "$PYBABEL" update -i "$POT" -d "$DIR" --ignore-obsolete --no-fuzzy-matching
    ;;
  *) echo "usage: $0 [compile | init LANG]" >&2; exit 2 ;;
esac
"$PYBABEL" compile -d "$DIR" --statistics
