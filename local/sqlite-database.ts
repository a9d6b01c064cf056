/**
 * Opens SQLite databases with the better-sqlite3 addon built for the running Node.js.
 *
 * `npm ci` compiles better-sqlite3 for the Node.js that runs npm, while the product runs on Node.js 22
 * from the `node` dev dependency. scripts/build-native-node22.sh (the postinstall step) compiles a copy for
 * that ABI into node_modules/.radiomics-native/; this module loads it through better-sqlite3's
 * `nativeBinding` option when it exists.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

const bindingFileName = `better_sqlite3-abi${process.versions.modules}.node`;

/**
 * Finds the ABI-specific addon by walking up from this module's folder. The walk matters because this file
 * also runs bundled into the worker-thread script under node_modules/.cache, not only from local/.
 */
function findAbiSpecificBinding(): string | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'node_modules', '.radiomics-native', bindingFileName);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

const abiSpecificBinding = findAbiSpecificBinding();

export function openSqliteDatabase(file: string, options: Database.Options = {}): Database.Database {
  return new Database(file, abiSpecificBinding ? { ...options, nativeBinding: abiSpecificBinding } : options);
}
