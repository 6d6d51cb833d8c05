#!/usr/bin/env bash
# Re-create dispatch/static/vendor/ from pinned npm packages.
#
#   tools/vendor.sh          fetch the pinned packages and (re)write the vendored files
#   tools/vendor.sh --check  fetch them and verify the committed files are byte-identical
#
# Needs: npm (any registry configured for it), tar. Works in a temp dir; nothing is
# left in the repo except the files listed below. Files are copied unmodified.
set -euo pipefail

ECHARTS_VERSION="6.1.0"
SWAGGER_UI_VERSION="5.35.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/dispatch/static/vendor"

mode="write"
case "${1:-}" in
  "") ;;
  --check) mode="check" ;;
  -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# fetch NAME VERSION -> extracts the tarball to $tmp/NAME/package
fetch() {
  local name="$1" version="$2" tgz
  tgz="$(cd "$tmp" && npm pack --silent --ignore-scripts "$name@$version" | tail -n 1)"
  mkdir -p "$tmp/$name"
  tar -xzf "$tmp/$tgz" -C "$tmp/$name"
  local got
  got="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$tmp/$name/package/package.json" | head -n 1)"
  if [ "$got" != "$version" ]; then
    echo "error: $name: wanted $version, npm gave $got" >&2
    exit 1
  fi
}

# place SRC_PKG SRC_PATH DEST_DIR -> copies or compares one file
status=0
place() {
  local pkg="$1" src="$2" dest_dir="$3"
  local from="$tmp/$pkg/package/$src" to="$VENDOR/$dest_dir/$(basename "$src")"
  if [ "$mode" = "write" ]; then
    install -m 0644 "$from" "$to"
  elif ! cmp -s "$from" "$to"; then
    echo "differs: ${to#"$ROOT"/}" >&2
    status=1
  fi
}

fetch echarts "$ECHARTS_VERSION"
fetch swagger-ui-dist "$SWAGGER_UI_VERSION"

if [ "$mode" = "write" ]; then
  # Start from empty library folders so they hold exactly the files below.
  rm -rf "$VENDOR/echarts" "$VENDOR/swagger-ui"
  mkdir -p "$VENDOR/echarts" "$VENDOR/swagger-ui"
fi

place echarts dist/echarts.min.js echarts
place echarts LICENSE echarts
place echarts NOTICE echarts

place swagger-ui-dist swagger-ui-bundle.js swagger-ui
place swagger-ui-dist swagger-ui-bundle.js.LICENSE.txt swagger-ui
place swagger-ui-dist swagger-ui.css swagger-ui
place swagger-ui-dist LICENSE swagger-ui
place swagger-ui-dist NOTICE swagger-ui

if [ "$mode" = "check" ]; then
  if [ "$status" -eq 0 ]; then
    echo "vendor: echarts $ECHARTS_VERSION, swagger-ui-dist $SWAGGER_UI_VERSION match"
  fi
  exit "$status"
fi

echo "vendor: wrote echarts $ECHARTS_VERSION, swagger-ui-dist $SWAGGER_UI_VERSION"
(cd "$VENDOR" && sha256sum echarts/* swagger-ui/*)
