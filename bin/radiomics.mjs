#!/usr/bin/env node
// Launcher for the `radiomics` CLI: runs the TypeScript entry point on the project's Node.js 22.
//
// The CLI and the Lambda functions target Node.js 22. When this file is started by an older Node.js
// (a machine whose system node is 20), it re-runs itself with the Node.js 22 binary from the `node`
// dev dependency, then loads the TypeScript sources through tsx.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const requiredMajor = 22;
const runningMajor = Number(process.versions.node.split('.')[0]);

if (runningMajor < requiredMajor) {
  const node22 = join(projectRoot, 'node_modules', '.bin', 'node');
  if (!existsSync(node22)) {
    console.error(`radiomics: Node.js ${requiredMajor} is required and ${node22} is missing. Run "npm ci" in ${projectRoot}.`);
    process.exit(1);
  }
  const child = spawn(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });

  // Pass termination signals on, so that stopping the launcher (a test harness, Ctrl-C) stops the CLI too.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  await runCli();
}

async function runCli() {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: join(projectRoot, 'tsconfig.json') });
  await import(pathToFileURL(join(projectRoot, 'bin', 'cli.ts')).href);
}
