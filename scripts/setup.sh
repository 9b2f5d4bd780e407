#!/usr/bin/env bash
# Sets up a fresh machine (Debian/Ubuntu, Node.js 20.19+ or 22.12+) for this
# repository: the pinned pnpm and the workspace's packages; with --tests, also
# Chromium (browser tests) and redis-server (the --redis tests). Says what it will change before it changes
# anything, and never replaces an existing pnpm without asking.
#
#   bash scripts/setup.sh           # enough for `pnpm dev`, `pnpm build`, `pnpm start`
#   bash scripts/setup.sh --tests   # and Chromium and Redis, for `pnpm test`
#
# Safe to run again: it only installs what is missing. Environment:
#   SETUP_YES=1              answer yes (also implied by CI=1): replace a different global pnpm
#   SKIP_SYSTEM_PACKAGES=1   never run apt-get (install Chromium and Redis yourself)
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
tests=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup: unknown option $arg (use --tests, or --help)" >&2
      exit 2
      ;;
  esac
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

if ! node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  process.exit((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23 ? 0 : 1);
' 2>/dev/null; then
  echo "setup: Node.js 20.19+ or 22.12+ is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# --- the plan ---------------------------------------------------------------
need_chromium=0
if [ "$tests" = 1 ] && ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  need_chromium=1
fi
# Redis: the server's --redis tests start their own redis-server on 127.0.0.1.
need_redis=0
if [ "$tests" = 1 ] && ! command -v redis-server >/dev/null 2>&1; then
  need_redis=1
fi
current_pnpm=$(pnpm --version 2>/dev/null || true)
pnpm_action=none
if [ -z "$current_pnpm" ]; then
  pnpm_action=install
elif [ "$current_pnpm" != "$PNPM_VERSION" ]; then
  pnpm_action=replace
fi

echo "setup: this will"
if [ "$need_chromium" = 1 ]; then
  if [ "${SKIP_SYSTEM_PACKAGES:-0}" = 1 ]; then
    echo "  - NOT install Chromium (SKIP_SYSTEM_PACKAGES=1): the browser tests need /usr/bin/chromium"
  else
    echo "  - install the system package chromium with apt-get (browser tests; no browser is downloaded)"
  fi
fi
if [ "$need_redis" = 1 ]; then
  if [ "${SKIP_SYSTEM_PACKAGES:-0}" = 1 ]; then
    echo "  - NOT install redis-server (SKIP_SYSTEM_PACKAGES=1): the --redis tests need Redis >= 6.2"
  else
    echo "  - install the system package redis-server with apt-get (the tests start their own, on a free port)"
  fi
fi
case "$pnpm_action" in
  install) echo "  - install pnpm $PNPM_VERSION globally (npm install -g pnpm@$PNPM_VERSION)" ;;
  replace) echo "  - REPLACE your global pnpm $current_pnpm ($(command -v pnpm)) with pnpm $PNPM_VERSION (npm install -g)" ;;
esac
echo "  - install the workspace's packages into ./node_modules (pnpm install --frozen-lockfile)"
if [ "$tests" = 0 ]; then
  echo "  (Chromium and Redis are only needed for the tests: run with --tests before \`pnpm test\`.)"
fi

if [ "$pnpm_action" = replace ] && [ "${SETUP_YES:-0}" != 1 ] && [ "${CI:-}" = "" ]; then
  if [ -t 0 ]; then
    read -r -p "setup: replace pnpm $current_pnpm with $PNPM_VERSION? [y/N] " answer
    case "$answer" in
      y | Y | yes | YES) ;;
      *)
        echo "setup: pnpm left as it is. Install pnpm $PNPM_VERSION yourself (or run with SETUP_YES=1), then run setup again." >&2
        exit 1
        ;;
    esac
  else
    echo "setup: pnpm $current_pnpm is installed and this repository needs $PNPM_VERSION; not replacing it without asking." >&2
    echo "       Run with SETUP_YES=1 to replace it, or install pnpm $PNPM_VERSION yourself." >&2
    exit 1
  fi
fi

# --- the changes --------------------------------------------------------------
if [ "$need_chromium" = 1 ] && [ "${SKIP_SYSTEM_PACKAGES:-0}" != 1 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: no apt-get here: please install Chromium at /usr/bin/chromium for the browser tests" >&2
  fi
fi

if [ "$need_redis" = 1 ] && [ "${SKIP_SYSTEM_PACKAGES:-0}" != 1 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing redis-server"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: no apt-get here: please install redis-server (Redis >= 6.2) for the server's --redis tests" >&2
  fi
fi

if [ "$pnpm_action" != none ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  as_root npm install -g --silent "pnpm@$PNPM_VERSION"
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
