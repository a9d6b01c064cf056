import type { Command } from 'commander';

// NOTE: placeholder until the recist command lands; it registers nothing yet.
export function registerRecist(_program: Command): void {}
