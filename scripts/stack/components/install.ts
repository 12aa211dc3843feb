/**
 * What every server of the local stack shares: the Tool and Component shapes, where
 * each one lives (one folder per version under the tools directory, its state under the
 * stack's state directory) and the two ways they install (a pinned PyPI package in a
 * virtualenv of its own, pinned Maven Central artifacts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../../src/config';
import { run } from '../proc';

/** Something installed into the tools directory on first use. */
export interface Tool {
  name: string;
  version: string;
  installed(cfg: Config): boolean;
  install(cfg: Config): Promise<void>;
}

/** A server of the stack. */
export interface Component extends Tool {
  /** The ports it listens on, the first being the one clients use. */
  ports(cfg: Config): number[];
  /** Prepares its state directory and returns the command that runs it. */
  command(cfg: Config): Promise<{ cmd: string; args: string[]; env?: NodeJS.ProcessEnv }>;
  healthy(cfg: Config): Promise<boolean>;
  /** Runs once it is healthy, on every `up` (idempotent): what it must hold before any client comes. */
  prepare?(cfg: Config): Promise<void>;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs: number;
}

export const toolDir = (cfg: Config, name: string, version: string): string =>
  path.join(cfg.toolsDir, `${name}-${version}`);

export const stateDir = (cfg: Config, name: string): string => {
  const dir = path.join(cfg.stateDir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

export const exists = (file: string): boolean => fs.existsSync(file);

/** Written last by an install, so an interrupted one is redone. */
export const marker = (dir: string): string => path.join(dir, '.installed');

/**
 * The Python launchers of ours that wrap a server (scripts/stack/launchers). Named
 * `<server>_launcher.py`: a file named like the server's package would import itself.
 */
export const launcher = (name: string): string => path.join(__dirname, '..', 'launchers', name);

/** Installed with exactly these requirements (an install from before a requirement was added is redone). */
export const pipInstalled = (dir: string, requirements: string[]): boolean =>
  exists(marker(dir)) && fs.readFileSync(marker(dir), 'utf8') === requirements.join('\n');

/**
 * Installs pinned PyPI requirements into a virtualenv of their own. Requirements that
 * carry `--hash=sha256:` options are installed with `--require-hashes`: pip refuses any
 * file whose digest is not one of them.
 */
export async function pipInstall(dir: string, requirements: string[]): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', dir]);
  const file = path.join(dir, 'requirements.txt');
  fs.writeFileSync(file, `${requirements.join('\n')}\n`);
  const hashed = requirements.some((r) => r.includes('--hash='));
  await run(path.join(dir, 'bin', 'pip'), [
    'install',
    '--disable-pip-version-check',
    '-q',
    ...(hashed ? ['--require-hashes'] : []),
    '-r',
    file,
  ]);
  fs.writeFileSync(marker(dir), requirements.join('\n'));
}

/** Copies pinned Maven Central artifacts and their dependencies into `<dir>/lib`. */
export async function mavenInstall(
  dir: string,
  artifacts: [group: string, artifact: string, version: string][],
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const dependencies = artifacts
    .map(([g, a, v]) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`)
    .join('\n');
  fs.writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>instudio.local</groupId><artifactId>${path.basename(dir)}</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>
${dependencies}
</dependencies></project>\n`,
  );
  await run('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(dir, 'lib')}`], { cwd: dir });
  fs.writeFileSync(marker(dir), artifacts.map((a) => a.join(':')).join('\n'));
}
