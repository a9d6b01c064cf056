/**
 * Opens SQLite databases with the better-sqlite3 addon built for the running Node.js.
 *
 * `npm ci` compiles better-sqlite3 for the Node.js that runs npm, while the product runs on Node.js 22
 * from the `node` dev dependency. scripts/build-native-node22.sh (the postinstall step) compiles a copy for
 * that ABI; this module loads it through better-sqlite3's `nativeBinding` option when the running ABI
 * differs from the one npm built for.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const abiSpecificBinding = join(projectRoot, 'node_modules', '.radiomics-native', `better_sqlite3-abi${process.versions.modules}.node`);

export function openSqliteDatabase(file: string, options: Database.Options = {}): Database.Database {
  const nativeBinding = existsSync(abiSpecificBinding) ? abiSpecificBinding : undefined;
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
