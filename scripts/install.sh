#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine (or a GitHub runner):
# the Python packages, the npm packages the site serves, Debian's chromium for the browser tests,
# and the self-hosted Pyodide runtime in .cache/pyodide (verified against pyodide-lock.json).
# Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e ".[test,docs,browser]"
npm ci --no-audit --no-fund --loglevel=error

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

python scripts/fetch_pyodide.py .cache/pyodide
