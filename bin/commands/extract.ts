import type { Command } from 'commander';

// NOTE: placeholder until the extract command lands; it registers nothing yet.
export function registerExtract(_program: Command): void {}
