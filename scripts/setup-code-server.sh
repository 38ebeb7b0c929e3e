#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3's web build; later versions need Node 22) into a cache
# folder on first use and reuses it after, like VS Code's own test runner caches .vscode-test/.
# Works offline except for the npm registry and Debian's archive: two postinstall downloads of
# code-server fail offline, so install scripts are skipped and the native modules rebuilt here.
# Usage: scripts/setup-code-server.sh  -> prints the cache folder
set -euo pipefail
VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${MBI_CODE_SERVER_CACHE:-$ROOT/.vscode-test/code-server-$VERSION}"
MARKER="$CACHE/.installed"
if [ -f "$MARKER" ]; then
  echo "$CACHE"
  exit 0
fi
log() { echo "[setup-code-server] $*" >&2; }
need=()
for p in libkrb5-dev libsecret-1-dev libxkbfile-dev pkg-config ripgrep chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${need[*]} (run as root or install them: apt-get install -y ${need[*]})"
    exit 1
  fi
  log "installing Debian packages: ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >&2
fi
rm -rf "$CACHE"
mkdir -p "$CACHE"
cd "$CACHE"
echo '{"name":"code-server-cache","private":true}' > package.json
log "npm install code-server@$VERSION"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VERSION" >&2
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2
npm_config_yes=true npm rebuild --loglevel=error kerberos node-pty @parcel/watcher @vscode/spdlog >&2
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
ln -sf remote-cli/code-linux.sh bin/code-server
ln -sf helpers/browser-linux.sh bin/browser.sh
(cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
cd "$CACHE"
npm rebuild --loglevel=error argon2 >&2
test -f node_modules/argon2/lib/binding/napi-v3/argon2.node || { log "argon2 did not build"; exit 1; }
touch "$MARKER"
log "code-server $VERSION ready"
echo "$CACHE"
