import type { Command } from 'commander';

// NOTE: placeholder until the inspect command lands; it registers nothing yet.
export function registerInspect(_program: Command): void {}
