import type { Command } from 'commander';

// NOTE: placeholder until the models command lands; it registers nothing yet.
export function registerModels(_program: Command): void {}
