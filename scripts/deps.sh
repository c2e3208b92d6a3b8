#!/bin/sh
# deps.sh — install the Debian packages sondage needs, only when missing.
# Idempotent: a machine that has them all does nothing and asks for nothing.
set -eu
PKGS="build-essential pkg-config libreadstat-dev libyaml-dev libgsl-dev libmicrohttpd-dev libsqlite3-dev libxlsxwriter-dev libpq-dev locales"
# `deps.sh test` (make check) adds what only the tests use: pspp reads the
# .sav files sondage writes (tests/scripts/sav_pspp.sh); LibreOffice reads
# the workbooks back and poppler's pdfinfo counts their printed pages
# (tests/scripts/xlsx_tables.sh); postgresql, the server the database tests
# start a throw-away cluster of (scripts/pg_cluster.sh). LibreOffice is
# looked for as a command: a desktop's full LibreOffice is never swapped for
# the -nogui one.
[ "${1:-}" = test ] && PKGS="$PKGS pspp poppler-utils postgresql"
[ "${1:-}" = test ] && ! command -v soffice >/dev/null 2>&1 && PKGS="$PKGS libreoffice-calc-nogui"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "sondage: installing:$missing" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
# The data-driven tests also run under a comma-decimal locale.
if ! locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$'; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    if [ -f /etc/locale.gen ]; then
        $SUDO sed -i 's/^# *fr_FR.UTF-8 UTF-8/fr_FR.UTF-8 UTF-8/' /etc/locale.gen
        grep -q '^fr_FR.UTF-8 UTF-8' /etc/locale.gen || echo 'fr_FR.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
        $SUDO locale-gen >/dev/null 2>&1 || true
    fi
fi
