#!/usr/bin/env bash
# Checks the npm packaging of the Node binding the way a release publishes it (napi-rs):
#   1. `npm/<platform>/package.json` is what `napi create-npm-dirs` makes for every target in
#      `napi.targets` (a target added without its platform package fails here);
#   2. in a staging copy, `napi artifacts` moves the built addon into its platform package and
#      `napi pre-publish --skip-optional-publish --no-gh-release` writes the per-platform
#      `optionalDependencies` into the root package.json (nothing is published);
#   3. both packages are packed with `npm pack`, installed from the tarballs into an empty
#      consumer project (offline), and the consumer loads the binary from
#      `faultdesk-<platform>` (the root package holds none) with CommonJS `require`, ESM
#      `import` and `tsc --strict` against the installed declarations.
# This machine builds only its own platform, so the staging copy lists only the host target;
# a release job builds every target and runs step 2 with all of them.
#
# Usage: scripts/check-node-package.sh   (after `napi build --platform` in bindings-node/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../bindings-node"
pkg=$(pwd)
napi=$pkg/node_modules/.bin/napi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Runs a command quietly; shows its output when it fails.
quiet() {
  if ! "$@" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
}

host_triple=$(rustc -vV | sed -n 's/^host: //p')
addon=$(ls faultdesk.*.node 2>/dev/null | head -n 1)
[ -n "$addon" ] || { echo "no built addon in bindings-node/ (run napi build --platform)" >&2; exit 1; }
platform=${addon#faultdesk.}
platform=${platform%.node}
version=$(node -p 'require("./package.json").version')

echo "--> npm/<platform> packages match napi.targets"
mkdir -p "$tmp/dirs"
cp package.json "$tmp/dirs/"
quiet "$napi" create-npm-dirs --cwd "$tmp/dirs"
if ! diff -r "$tmp/dirs/npm" npm; then
  echo "bindings-node/npm differs from what 'napi create-npm-dirs' makes: re-run it and commit" >&2
  exit 1
fi

echo "--> staging: napi artifacts + napi pre-publish (host target $host_triple only)"
stage=$tmp/stage
mkdir -p "$stage" "$tmp/artifacts"
cp -r package.json index.js index.d.ts README.md npm "$stage/"
cp "$addon" "$tmp/artifacts/"
node -e '
  const fs = require("fs"); const [file, triple] = process.argv.slice(1)
  const p = JSON.parse(fs.readFileSync(file, "utf8"))
  if (!p.napi.targets.includes(triple)) { console.error(`host ${triple} is not in napi.targets`); process.exit(1) }
  p.napi.targets = [triple]
  fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n")' "$stage/package.json" "$host_triple"
(cd "$stage" && quiet "$napi" artifacts -o ../artifacts)
(cd "$stage" && quiet "$napi" pre-publish -t npm --no-gh-release --skip-optional-publish)
node -e '
  const [file, name, version] = process.argv.slice(1)
  const deps = require(file).optionalDependencies ?? {}
  if (deps[name] !== version) { console.error(`pre-publish wrote optionalDependencies ${JSON.stringify(deps)}, expected ${name}@${version}`); process.exit(1) }
' "$stage/package.json" "faultdesk-$platform" "$version"

echo "--> npm pack (faultdesk, faultdesk-$platform)"
(cd "$stage" && quiet npm pack --pack-destination "$tmp")
(cd "$stage/npm/$platform" && quiet npm pack --pack-destination "$tmp")
root_tgz=$tmp/faultdesk-$version.tgz
plat_tgz=$tmp/faultdesk-$platform-$version.tgz
if tar -tzf "$root_tgz" | grep -q '\.node$'; then
  echo "the root package must not carry a binary" >&2
  exit 1
fi
tar -tzf "$plat_tgz" | grep -qx "package/$addon" || { echo "faultdesk-$platform lacks $addon" >&2; exit 1; }

echo "--> install the tarballs into an empty project; require, import, tsc --strict"
app=$tmp/app
mkdir -p "$app"
cat >"$app/package.json" <<'EOF'
{ "name": "faultdesk-consumer", "private": true, "version": "0.0.0" }
EOF
(cd "$app" && quiet npm install --offline --no-audit --no-fund "$root_tgz" "$plat_tgz")
[ -f "$app/node_modules/faultdesk-$platform/$addon" ] || { echo "faultdesk-$platform was not installed" >&2; exit 1; }
if ls "$app"/node_modules/faultdesk/*.node >/dev/null 2>&1; then
  echo "the installed root package carries a binary" >&2
  exit 1
fi
cat >"$app/use.cjs" <<'EOF'
const assert = require('node:assert/strict')
const { Desk, version } = require('faultdesk')
const actor = { tenantId: 't', userId: 'u', roles: ['TEAM_LEAD'] }
;(async () => {
  const desk = await Desk.open('sqlite::memory:')
  const t = await desk.createTicket(actor, { subject: 'from the installed package' })
  assert.match(t.number, /^TKT-\d{4}-000001$/)
  await desk.close()
  console.log(`require: faultdesk ${version()}, ${t.number}`)
})().catch((e) => { console.error(e); process.exit(1) })
EOF
cat >"$app/use.mjs" <<'EOF'
import assert from 'node:assert/strict'
import { Desk, mapSeverityToPriority } from 'faultdesk'
import * as fd from 'faultdesk'
assert.equal(mapSeverityToPriority('critical'), 'critical')
assert.equal(fd.Desk, Desk)
const desk = await Desk.open('sqlite::memory:')
await assert.rejects(desk.getTicket({ tenantId: 't', userId: 'u', roles: ['TEAM_LEAD'] }, '3fa85f64-5717-4562-b3fc-2c963f66afa6'),
  (e) => e.code === 'NOT_FOUND')
await desk.close()
console.log('import: ok')
EOF
cat >"$app/use.ts" <<'EOF'
import { Desk, type Ticket, type TicketPage } from 'faultdesk'
export async function openTickets(url: string): Promise<TicketPage> {
  const desk: Desk = await Desk.open(url, { workflow: 'fibreflow', maxConnections: 4 })
  const actor = { tenantId: 'fibreflow', userId: 'u-1', roles: ['TEAM_LEAD'], ip: '10.0.0.2' }
  const t: Ticket = await desk.createTicket(actor, { subject: 'x', labels: { contractor_id: 'c-9' } })
  const created: Date = t.createdAt
  void created
  return desk.listTickets(actor, { openOnly: true, labels: { contractor_id: 'c-9' }, sort: ['-priority', '-createdAt'] })
}
EOF
cat >"$app/tsconfig.json" <<EOF
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
  "strict": true, "noEmit": true, "types": ["node"], "typeRoots": ["$pkg/node_modules/@types"] },
  "files": ["use.ts"] }
EOF
(cd "$app" && node use.cjs && node use.mjs && "$pkg/node_modules/.bin/tsc" -p tsconfig.json)
echo "--> packaging ok"
