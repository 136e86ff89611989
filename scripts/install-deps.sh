#!/usr/bin/env bash
# Installs what the project needs from Debian 12's packages, only when missing.
# Idempotent and quiet when everything is present, so `make run` / `make test`
# can call it every time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config git ca-certificates
  postgresql-15 postgresql-server-dev-15 postgresql-client-15 libpq-dev
  libpg-query-dev libprotobuf-c-dev nlohmann-json3-dev libboost1.81-dev libssl-dev
  googletest libgtest-dev libgmock-dev
  libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev libxlsxwriter-dev
  libphonenumber8 libprotobuf-dev libabsl-dev libicu-dev
  pgbouncer postgresql-15-pgaudit
  clang libclang-rt-14-dev
  libbenchmark-dev
  unzip zip openssl
  python3
  # clients of the end-to-end tests (tests/e2e/proxy_client_*.sh)
  libpostgresql-jdbc-java default-jdk-headless
)
# node-postgres runs on Node.js with npm. Debian's nodejs and npm packages
# provide them; a Node.js that is already there (e.g. NodeSource's nodejs,
# which bundles npm and conflicts with Debian's npm) is kept as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libphonenumber-dev depends on Boost 1.74's -dev packages, which conflict with
# the libboost1.81-dev the proxy is built on. Its runtime library (libphonenumber8)
# installs cleanly, so we take only the headers out of Debian's -dev package and
# keep them under .deps/ (the library itself comes from libphonenumber8).
pn_dir="$here/.deps/libphonenumber"
if [[ ! -f /usr/include/phonenumbers/phonenumberutil.h && ! -f "$pn_dir/usr/include/phonenumbers/phonenumberutil.h" ]]; then
  echo "install-deps: unpacking libphonenumber-dev headers into .deps/"
  tmp=$(mktemp -d)
  chmod 777 "$tmp"
  (cd "$tmp" && apt-get download -qq libphonenumber-dev 2>/dev/null || { "${sudo_cmd[@]}" apt-get update -qq && apt-get download -qq libphonenumber-dev; })
  mkdir -p "$pn_dir"
  dpkg-deb -x "$tmp"/libphonenumber-dev_*.deb "$pn_dir"
  rm -rf "$tmp"
fi
