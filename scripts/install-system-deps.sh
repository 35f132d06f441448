#!/usr/bin/env bash
# Install the Debian packages the test suite needs, if any are missing:
#   default-jdk-headless   Java for HermiT (owlready2) and for compiling the OWL API checker
#   libowlapi-java (+ libjaxb-api-java libactivation-java)  the OWL API, Protégé's library
#   raptor2-utils          rapper, an independent linked-data client
#   rasqal-utils           roqet, an independent SPARQL client
#   chromium chromium-driver  headless browser tests (selenium)
#   virtuoso-opensource-7-bin  Virtuoso's server and isql (virtuoso-t, isql-vt), a remote
#                          triplestore the tests start themselves (tests/triplestores.py):
#                          the binaries of Debian's virtuoso-opensource without the
#                          package that sets up and starts its system service
#   nodejs npm             only when npm is missing: builds the YASGUI query editor
set -euo pipefail

packages=(default-jdk-headless libowlapi-java libjaxb-api-java libactivation-java
          raptor2-utils rasqal-utils chromium chromium-driver virtuoso-opensource-7-bin)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
