import type { Command } from 'commander';

// NOTE: placeholder until the run command lands; it registers nothing yet.
export function registerRun(_program: Command): void {}
