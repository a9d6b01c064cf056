import type { Command } from 'commander';

// NOTE: placeholder until the rescore command lands; it registers nothing yet.
export function registerRescore(_program: Command): void {}
