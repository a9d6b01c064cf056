import type { Command } from 'commander';

// NOTE: placeholder until the serve command lands; it registers nothing yet.
export function registerServe(_program: Command): void {}
