#!/usr/bin/env bash
# System tools the test suite needs beyond Python: headless Chromium and ChromeDriver (HTML
# report), PostgreSQL (scan history), Microsoft's SARIF Multitool (npm, into ./.tools), Node
# and the npm packages of the Express fix examples (tests/remediation/express), the
# openssl command (encryption tests), poppler-utils (pdftoppm/pdftotext read the PDF report) and
# redis-server (the Celery broker of the fleet tests; the tests start their own on loopback).
# Idempotent and quick when everything is there; installs what is missing (apt-get needs root,
# as in CI). Run by `make system-deps`, which `make test` depends on.
set -euo pipefail
cd "$(dirname "$0")/.."

SARIF_MULTITOOL_VERSION=5.7.0
MULTITOOL=.tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x "$MULTITOOL" ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
# the Express fix examples run under node, with the npm packages of tests/remediation/express
EXPRESS=tests/remediation/express
command -v node >/dev/null 2>&1 || missing+=(nodejs)
[ -d "$EXPRESS/node_modules" ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
# the openssl command signs the SHA-1 certificate of the encryption tests (cryptography won't)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "system-deps: need root to install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    echo "system-deps: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x "$MULTITOOL" ]; then
    echo "system-deps: installing @microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION into .tools/"
    mkdir -p .tools
    [ -f .tools/package.json ] || echo '{"private": true}' > .tools/package.json
    (cd .tools && npm install --silent --no-audit --no-fund \
        "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" >/dev/null)
    chmod u+x "$MULTITOOL"  # its postinstall does this, but npm may skip install scripts
fi

if [ ! -d "$EXPRESS/node_modules" ] || [ "$EXPRESS/package-lock.json" -nt "$EXPRESS/node_modules" ]; then
    echo "system-deps: installing the Express examples' npm packages into $EXPRESS/"
    (cd "$EXPRESS" && npm ci --silent --no-audit --no-fund >/dev/null)
    touch "$EXPRESS/node_modules"
fi
