import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where `mqbench install` caches what it fetches, outside the repository. */
export function cacheDir(): string {
  const base = process.env.MQBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'mqbench');
  return path.resolve(base);
}

/** The first executable named `name` on PATH, or undefined. */
export function whichSync(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/sbin', '/sbin']) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const INSTALL_HINT = 'npx mqbench install   (or: npm run mqbench -- install)';
