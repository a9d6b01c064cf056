import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const coreSource = fileURLToPath(new URL('./layers/core/src', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [{ find: /^@radiomics\/core(.*)$/, replacement: `${coreSource}$1` }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
