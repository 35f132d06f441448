#!/usr/bin/env bash
# Build the query editor's browser assets: install YASGUI from the npm registry at
# the exact version pinned in frontend/package-lock.json (`npm ci`), then copy its
# prebuilt bundle into src/alliance_ld/static/vendor/yasgui/, which the server
# serves at /static/vendor/yasgui/. The copied files are generated, not committed.
#
# Usage: scripts/build-frontend.sh        (idempotent; `make setup` runs it)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
frontend="$root/frontend"
dest="$root/src/alliance_ld/static/vendor/yasgui"

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is not installed; the SPARQL query editor (YASGUI) needs Node.js and npm" >&2
    echo "       to be built (Debian/Ubuntu: apt-get install nodejs npm; or https://nodejs.org/)." >&2
    echo "       Without it the server still runs, and /sparql offers a plain HTML query form." >&2
    exit 2
fi

cd "$frontend"
# --ignore-scripts: we only copy prebuilt files, no package needs to run code at install.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

pkg="$frontend/node_modules/@zazuko/yasgui"
version="$(node -p "require('$pkg/package.json').version")"
for file in yasgui.min.js yasgui.min.css; do
    [ -s "$pkg/build/$file" ] || { echo "error: $pkg/build/$file is missing" >&2; exit 2; }
done

mkdir -p "$(dirname "$dest")"
tmp="$(mktemp -d "$(dirname "$dest")/.yasgui.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$pkg/build/yasgui.min.js" "$pkg/build/yasgui.min.css" "$tmp/"
[ -f "$pkg/build/yasgui.min.js.map" ] && cp "$pkg/build/yasgui.min.js.map" "$tmp/"
printf '%s\n' "$version" > "$tmp/VERSION"
cat > "$tmp/README" <<NOTE
@zazuko/yasgui $version (MIT licence, https://github.com/rdfjs/Yasgui), copied from
the npm package by scripts/build-frontend.sh. Generated: do not edit or commit.
NOTE
chmod 755 "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "YASGUI $version copied to ${dest#"$root/"}"
