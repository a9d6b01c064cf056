import type { Command } from 'commander';

// NOTE: placeholder until the train command lands; it registers nothing yet.
export function registerTrain(_program: Command): void {}
