import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The product version from package.json, recorded in every extraction's and model's provenance. */
export const PRODUCT_VERSION: string = (require('../package.json') as { version: string }).version;
