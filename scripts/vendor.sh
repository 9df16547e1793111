#!/usr/bin/env bash
# Refresh expo/static/vendor/ from the npm registry. The result is committed, so
# `make run` and the venue need neither npm nor a CDN. Run by hand to upgrade.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund \
  bootstrap@5.3.8 bootstrap-icons@1.13.2 simple-datatables@10.3.0 chart.js@4.6.1 \
  swagger-ui-dist@5.35.0 qr-scanner@1.4.2 @noble/ed25519@3.2.0 >/dev/null
m=node_modules
v="$here/expo/static/vendor"
rm -rf "$v"; mkdir -p "$v"
copy() { mkdir -p "$v/$1"; shift_dir="$1"; shift; for f in "$@"; do cp -r "$f" "$v/$shift_dir/"; done; }
copy bootstrap $m/bootstrap/dist/css/bootstrap.min.css $m/bootstrap/dist/js/bootstrap.bundle.min.js $m/bootstrap/LICENSE
copy bootstrap-icons $m/bootstrap-icons/font/bootstrap-icons.min.css $m/bootstrap-icons/LICENSE
mkdir -p "$v/bootstrap-icons/fonts"; cp $m/bootstrap-icons/font/fonts/bootstrap-icons.woff2 $m/bootstrap-icons/font/fonts/bootstrap-icons.woff "$v/bootstrap-icons/fonts/"
copy simple-datatables $m/simple-datatables/dist/umd/simple-datatables.js $m/simple-datatables/dist/style.css $m/simple-datatables/LICENSE
copy chart.js $m/chart.js/dist/chart.umd.min.js $m/chart.js/LICENSE.md
copy swagger-ui-dist $m/swagger-ui-dist/swagger-ui.css $m/swagger-ui-dist/swagger-ui-bundle.js $m/swagger-ui-dist/swagger-ui-standalone-preset.js $m/swagger-ui-dist/favicon-32x32.png $m/swagger-ui-dist/favicon-16x16.png $m/swagger-ui-dist/LICENSE $m/swagger-ui-dist/NOTICE
copy qr-scanner $m/qr-scanner/qr-scanner.min.js $m/qr-scanner/qr-scanner-worker.min.js $m/qr-scanner/LICENSE
copy noble-ed25519 $m/@noble/ed25519/index.js $m/@noble/ed25519/LICENSE
{
  echo "# Vendored front-end packages (from the npm registry, by scripts/vendor.sh)"
  echo
  echo "| folder | package | version | licence |"
  echo "|---|---|---|---|"
  for p in bootstrap bootstrap-icons simple-datatables chart.js swagger-ui-dist qr-scanner @noble/ed25519; do
    node -e "const p=require('./$m/$p/package.json'); console.log('| '+('$p'.replace('@noble/','noble-'))+' | '+p.name+' | '+p.version+' | '+p.license+' |')"
  done
} > "$v/README.md"
echo "vendored into $v"
