import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, whichSync } from '../core/binaries.js';
import { MissingPrerequisiteError } from '../core/errors.js';
import { TOXIPROXY_MODULE } from '../proxy/toxiproxy-server.js';
import { installKafkaJars } from './kafka-jars.js';

export interface InstallStep {
  name: string;
  status: 'present' | 'installed';
  detail: string;
}

const APT_PACKAGES = ['redis-server', 'rabbitmq-server'];

/**
 * Fetches what mqbench needs and is missing: Debian's broker packages (as root), the
 * Kafka jars and the Toxiproxy binary. Idempotent: a second run finds everything present.
 */
export function installAll(log: (line: string) => void): InstallStep[] {
  return [installAptPackages(log), kafkaStep(log), installToxiproxy(log), checkJava()];
}

function kafkaStep(log: (line: string) => void): InstallStep {
  const status = installKafkaJars(log);
  return { name: 'kafka jars', status, detail: path.join(cacheDir(), 'kafka-4.1.1', 'libs') };
}

function installAptPackages(log: (line: string) => void): InstallStep {
  const missing = APT_PACKAGES.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0)
    return { name: 'apt packages', status: 'present', detail: APT_PACKAGES.join(', ') };
  if (process.getuid?.() !== 0) {
    throw new MissingPrerequisiteError(
      missing.join(', '),
      `sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  // Debian starts a freshly installed service unless policy-rc.d forbids it; mqbench never
  // uses the system services, so keep them from starting on the default ports.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = fs.existsSync(policy);
  if (!hadPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    log(`apt-get install ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  } finally {
    if (!hadPolicy) fs.rmSync(policy, { force: true });
  }
  return { name: 'apt packages', status: 'installed', detail: missing.join(', ') };
}

function dpkgInstalled(pkg: string): boolean {
  try {
    const out = execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return out.includes('install ok installed');
  } catch {
    return false;
  }
}

function installToxiproxy(log: (line: string) => void): InstallStep {
  const target = path.join(cacheDir(), 'bin', 'toxiproxy-server');
  if (fs.existsSync(target)) return { name: 'toxiproxy', status: 'present', detail: target };
  const onPath = whichSync('toxiproxy-server');
  if (onPath) return { name: 'toxiproxy', status: 'present', detail: onPath };
  const go =
    whichSync('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go)
    throw new MissingPrerequisiteError('Go (to build Toxiproxy)', 'apt-get install golang-go');
  const gobin = fs.mkdtempSync(path.join(os.tmpdir(), 'mqbench-gobin-'));
  log(`go install ${TOXIPROXY_MODULE}`);
  execFileSync(go, ['install', TOXIPROXY_MODULE], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' },
    cwd: os.tmpdir(),
  });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // `go install` names the binary after its folder, `server`; release packages call it
  // toxiproxy-server, and so do we.
  fs.copyFileSync(path.join(gobin, 'server'), target);
  fs.chmodSync(target, 0o755);
  fs.rmSync(gobin, { recursive: true, force: true });
  return { name: 'toxiproxy', status: 'installed', detail: target };
}

function checkJava(): InstallStep {
  const java = whichSync('java');
  if (!java)
    throw new MissingPrerequisiteError(
      'Java 17 or newer (for Kafka 4)',
      'apt-get install openjdk-17-jre-headless',
    );
  // java -version writes to stderr.
  const out = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr ?? '';
  return { name: 'java', status: 'present', detail: `${java} ${out.split('\n')[0] ?? ''}`.trim() };
}
