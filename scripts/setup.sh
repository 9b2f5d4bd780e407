#!/usr/bin/env bash
# Sets up a fresh machine (Debian/Ubuntu, Node >= 20) for this repository:
# Chromium for the browser tests, the pinned pnpm, and the workspace's packages.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ "${SKIP_SYSTEM_PACKAGES:-0}" != 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Chromium (browser tests use the system browser, never a download)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: please install Chromium at /usr/bin/chromium for the browser tests" >&2
  fi
fi

# Redis: the server's --redis tests start their own redis-server on 127.0.0.1.
if [ "${SKIP_SYSTEM_PACKAGES:-0}" != 1 ] && ! command -v redis-server >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing redis-server (tests start their own on a free port)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: please install redis-server (Redis >= 6.2) for the server's --redis tests" >&2
  fi
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  as_root npm install -g --silent "pnpm@$PNPM_VERSION"
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
