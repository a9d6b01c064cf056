import type { Command } from 'commander';

// NOTE: placeholder until the evaluate command lands; it registers nothing yet.
export function registerEvaluate(_program: Command): void {}
