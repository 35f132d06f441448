#!/usr/bin/env bash
# Build the browser assets of the server's pages: install the npm packages at the exact
# versions pinned in frontend/package-lock.json (`npm ci`), then copy their prebuilt
# files into the package's static files, which the server serves under /static/vendor/:
#
#   @zazuko/yasgui   -> src/alliance_ld/static/vendor/yasgui/      (the query editor, /sparql)
#   swagger-ui-dist  -> src/alliance_ld/static/vendor/swagger-ui/  (the OpenAPI page, /docs)
#   world-atlas      -> src/alliance_ld/static/vendor/world-atlas/ (country boundaries, read
#                       from disk by the maps drawn on the server, alliance_ld.maps)
#
# The copied files are generated, not committed. Each folder gets a VERSION (which
# the Makefile's setup target watches) and a README saying where it came from.
#
# Usage: scripts/build-frontend.sh        (idempotent; `make setup` runs it)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
frontend="$root/frontend"
vendor="$root/src/alliance_ld/static/vendor"

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is not installed; the SPARQL query editor (YASGUI) and the OpenAPI page" >&2
    echo "       (Swagger UI) need Node.js and npm to be built (Debian/Ubuntu: apt-get install" >&2
    echo "       nodejs npm; or https://nodejs.org/). Without them the server still runs:" >&2
    echo "       /sparql offers a plain HTML query form, /docs says how to build Swagger UI." >&2
    exit 2
fi

cd "$frontend"
# --ignore-scripts: we only copy prebuilt files, no package needs to run code at install
# (swagger-ui-dist's dependency @scarf/scarf would otherwise report the install).
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# copy_package NAME DEST_FOLDER NOTE REQUIRED_FILE... -- OPTIONAL_FILE...
# Copies the files (paths inside the npm package) into vendor/DEST_FOLDER, replacing it
# whole and at once, with a VERSION and a README holding NOTE.
copy_package() {
    local name="$1" folder="$2" note="$3"
    shift 3
    local pkg="$frontend/node_modules/$name" dest="$vendor/$folder" version file tmp
    version="$(node -p "require('$pkg/package.json').version")"
    local required=() optional=() in_optional=0
    for file in "$@"; do
        if [ "$file" = "--" ]; then in_optional=1
        elif [ "$in_optional" = 1 ]; then optional+=("$file")
        else required+=("$file")
        fi
    done
    for file in "${required[@]}"; do
        [ -s "$pkg/$file" ] || { echo "error: $pkg/$file is missing" >&2; exit 2; }
    done
    mkdir -p "$vendor"
    tmp="$(mktemp -d "$vendor/.$folder.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    for file in "${required[@]}"; do
        cp "$pkg/$file" "$tmp/"
    done
    for file in "${optional[@]}"; do
        if [ -f "$pkg/$file" ]; then cp "$pkg/$file" "$tmp/"; fi
    done
    printf '%s\n' "$version" > "$tmp/VERSION"
    printf '%s %s %s\nCopied from the npm package by scripts/build-frontend.sh. Generated: do not edit or commit.\n' \
        "$name" "$version" "$note" > "$tmp/README"
    chmod 755 "$tmp"
    rm -rf "$dest"
    mv "$tmp" "$dest"
    trap - EXIT
    echo "$name $version copied to ${dest#"$root/"}"
}

copy_package @zazuko/yasgui yasgui "(MIT licence, https://github.com/rdfjs/Yasgui)." \
    build/yasgui.min.js build/yasgui.min.css -- build/yasgui.min.js.map

# Swagger UI: the bundle (with React and the standalone preset) and its style sheet; its
# licence, NOTICE and the licences of the bundled code go along (Apache-2.0).
copy_package swagger-ui-dist swagger-ui \
    "(Apache-2.0 licence, see LICENSE and NOTICE; https://github.com/swagger-api/swagger-ui)." \
    swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE -- \
    swagger-ui-bundle.js.LICENSE.txt swagger-ui-bundle.js.map swagger-ui.css.map

# The country boundaries of the world maps (alliance_ld.maps): Natural Earth's Admin 0
# countries at 1:110m (version 4.1.0, public domain), as TopoJSON keyed by ISO 3166-1
# numeric code, redistributed by the world-atlas package (ISC licence, Mike Bostock).
# Copied last: the Makefile checks that its VERSION is the newest of the three.
copy_package world-atlas world-atlas \
    "(ISC licence, see LICENSE; Natural Earth 1:110m Admin 0 countries, version 4.1.0, public domain: https://www.naturalearthdata.com/about/terms-of-use/; https://github.com/topojson/world-atlas)." \
    countries-110m.json LICENSE
