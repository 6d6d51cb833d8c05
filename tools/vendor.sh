#!/usr/bin/env bash
# Re-create dispatch/static/vendor/ from pinned npm packages.
#
#   tools/vendor.sh          fetch the pinned packages and (re)write the vendored files
#   tools/vendor.sh --check  fetch them and verify the committed files are byte-identical
#
# Needs: npm (any registry configured for it), node, tar. Swagger UI and ECharts' LICENSE/NOTICE
# are copied unmodified from the package tarballs (fetched in a temp dir). The ECharts bundles are
# custom builds: `npm ci` in tools/vendor (package.json + package-lock.json pin echarts, esbuild and
# terser; its node_modules/ is git-ignored) and tools/vendor/build-echarts.mjs write (or --check) them.
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

# The ECharts version of the custom builds is tools/vendor/package.json's: they must agree.
if ! grep -q "\"echarts\": \"$ECHARTS_VERSION\"" "$ROOT/tools/vendor/package.json"; then
  echo "error: tools/vendor/package.json does not pin echarts $ECHARTS_VERSION" >&2
  exit 1
fi

if [ "$mode" = "write" ]; then
  # Start from empty library folders so they hold exactly the files below.
  rm -rf "$VENDOR/echarts" "$VENDOR/swagger-ui"
  mkdir -p "$VENDOR/echarts" "$VENDOR/swagger-ui"
fi

place echarts LICENSE echarts
place echarts NOTICE echarts

place swagger-ui-dist swagger-ui-bundle.js swagger-ui
place swagger-ui-dist swagger-ui-bundle.js.LICENSE.txt swagger-ui
place swagger-ui-dist swagger-ui.css swagger-ui
place swagger-ui-dist LICENSE swagger-ui
place swagger-ui-dist NOTICE swagger-ui

# The custom ECharts bundles (echarts-map.min.js, echarts-charts.min.js), from the pinned build tools.
(cd "$ROOT/tools/vendor" && npm ci --silent --no-audit --no-fund)
if [ "$mode" = "write" ]; then
  node "$ROOT/tools/vendor/build-echarts.mjs"
elif ! node "$ROOT/tools/vendor/build-echarts.mjs" --check; then
  status=1
fi

if [ "$mode" = "check" ]; then
  if [ "$status" -eq 0 ]; then
    echo "vendor: echarts $ECHARTS_VERSION, swagger-ui-dist $SWAGGER_UI_VERSION match"
  fi
  exit "$status"
fi

echo "vendor: wrote echarts $ECHARTS_VERSION, swagger-ui-dist $SWAGGER_UI_VERSION"
(cd "$VENDOR" && sha256sum echarts/* swagger-ui/*)
