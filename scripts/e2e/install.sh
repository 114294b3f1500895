#!/bin/bash
# Installs what the e2e suite and `npm start` need, offline except for Debian apt and the npm registry:
#   apt: chromium (only with --browser), ripgrep, libkrb5-dev, build-essential, python3
#   npm: code-server $CS_VERSION into .cache/code-server (ignored), with the three workarounds it needs here:
#     1. npm_config_unsafe_perm=true (its postinstall refuses root otherwise)
#     2. @vscode/ripgrep's download is replaced by a cache entry packed from Debian's /usr/bin/rg
#     3. npm_config_yes=true (node-pty's postinstall runs `npx node-gyp`; ~/.npmrc has yes=false)
#   plus npm_config_nodedir=/usr so node-gyp uses /usr/include/node instead of downloading headers.
# Idempotent: does nothing when .cache/code-server/.installed-$CS_VERSION exists.
# Usage: scripts/e2e/install.sh [--browser]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CS_VERSION=${CS_VERSION:-4.100.3}
CS_DIR="$ROOT/.cache/code-server"
WANT_BROWSER=0
[ "${1:-}" = "--browser" ] && WANT_BROWSER=1

log() { echo "[install] $*"; }

need_pkgs=()
command -v rg >/dev/null || need_pkgs+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_pkgs+=(libkrb5-dev)
command -v g++ >/dev/null && command -v make >/dev/null || need_pkgs+=(build-essential)
command -v python3 >/dev/null || need_pkgs+=(python3)
if [ "$WANT_BROWSER" = 1 ] && ! command -v chromium >/dev/null; then need_pkgs+=(chromium); fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing apt packages: ${need_pkgs[*]} (run as root or install them)"; exit 1; }
  log "apt-get install ${need_pkgs[*]}"
  t0=$(date +%s)
  apt-get update -qq || log "apt-get update had errors; continuing with the lists we have"
  ok=0
  for i in $(seq 1 30); do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"; then ok=1; break; fi
    log "apt busy (dpkg lock?), retry $i in 20s"; sleep 20
  done
  [ $ok = 1 ] || { echo "apt-get install failed"; exit 1; }
  log "apt done in $(( $(date +%s) - t0 ))s"
fi

if [ -f "$CS_DIR/.installed-$CS_VERSION" ] && [ -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  log "code-server $CS_VERSION already in $CS_DIR"
  exit 0
fi

mkdir -p "$CS_DIR/tmp" "$CS_DIR/pkgs"
cd "$CS_DIR"
[ -f package.json ] || echo '{"name":"kexec-inspector-code-server","private":true}' > package.json
export npm_config_nodedir=/usr
export npm_config_unsafe_perm=true
export npm_config_yes=true
export TMPDIR="$CS_DIR/tmp"

pkgdir="$CS_DIR/pkgs/code-server-$CS_VERSION"
if [ ! -f "$pkgdir/package/package.json" ]; then
  mkdir -p "$pkgdir"
  tgz=$(npm pack --silent --pack-destination "$CS_DIR/pkgs" "code-server@$CS_VERSION" | tail -1)
  tar xzf "$CS_DIR/pkgs/$tgz" -C "$pkgdir"
fi
shrink="$pkgdir/package/lib/vscode/npm-shrinkwrap.json"
rgver=""
[ -f "$shrink" ] && rgver=$(node -e 'const s=require(process.argv[1]);const p=(s.packages||{})["node_modules/@vscode/ripgrep"];console.log(p?p.version:"")' "$shrink")
if [ -n "$rgver" ]; then
  rgdir="$CS_DIR/pkgs/vscode-ripgrep-$rgver"
  if [ ! -f "$rgdir/package/lib/postinstall.js" ]; then
    mkdir -p "$rgdir"
    rtgz=$(npm pack --silent --pack-destination "$CS_DIR/pkgs" "@vscode/ripgrep@$rgver" | tail -1)
    tar xzf "$CS_DIR/pkgs/$rtgz" -C "$rgdir"
  fi
  asset=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$rgdir/package/lib/postinstall.js")
  mkdir -p "$TMPDIR/vscode-ripgrep-cache-$rgver" "$TMPDIR/rgpack"
  cp "$(command -v rg)" "$TMPDIR/rgpack/rg"
  tar czf "$TMPDIR/vscode-ripgrep-cache-$rgver/ripgrep-$asset-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rgpack" rg
  log "seeded @vscode/ripgrep@$rgver cache ($asset) from $(command -v rg)"
fi

log "npm install code-server@$CS_VERSION (compiles native modules; ~3-4 min on 2 cores)"
t0=$(date +%s)
npm install --no-audit --no-fund --no-save "code-server@$CS_VERSION"
XDG_CONFIG_HOME="$CS_DIR/xdg-config" XDG_DATA_HOME="$CS_DIR/xdg-data" "$CS_DIR/node_modules/.bin/code-server" --version
touch "$CS_DIR/.installed-$CS_VERSION"
log "code-server $CS_VERSION installed in $(( $(date +%s) - t0 ))s; $(du -sh node_modules | cut -f1) on disk"
