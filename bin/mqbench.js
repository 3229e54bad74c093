#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so no build step stands between a clone and a run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const main = path.join(root, 'harness', 'cli', 'main.ts');
const child = spawnSync(tsx, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(child.status ?? 1);
