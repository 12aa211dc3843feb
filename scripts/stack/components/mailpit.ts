/**
 * Email: Mailpit's SMTP server and HTTP API (and its web UI, where people read what the
 * product sent), built from its Go module. `go install` alone gives a blank web UI: its
 * assets are built by the module's own package.json (esbuild) before `go build`, as
 * upstream does — so the build runs in a copy of the module.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Config, portOf } from '../../../src/config';
import { httpOk, run } from '../proc';
import { type Component, exists, marker, stateDir, toolDir } from './install';

export const MAILPIT_VERSION = '1.33.1';
/** The API-docs page's web component, at a version the registry serves. */
const RAPIDOC = '9.3.8';

const dir = (cfg: Config): string => toolDir(cfg, 'mailpit', MAILPIT_VERSION);
const bin = (cfg: Config): string => path.join(dir(cfg), 'bin', 'mailpit');

export const mailpit: Component = {
  name: 'mailpit',
  version: MAILPIT_VERSION,
  startTimeoutMs: 30_000,
  ports: (cfg) => [portOf(cfg.mail.smtpUrl), portOf(cfg.mail.mailpitUrl)],
  installed: (cfg) => exists(marker(dir(cfg))) && exists(bin(cfg)),
  async install(cfg) {
    const module = `github.com/axllent/mailpit@v${MAILPIT_VERSION}`;
    const info = JSON.parse(await run('go', ['mod', 'download', '-json', module])) as { Dir: string };
    const src = path.join(dir(cfg), 'src');
    fs.rmSync(src, { recursive: true, force: true });
    fs.cpSync(info.Dir, src, { recursive: true });
    await run('chmod', ['-R', 'u+w', src]);
    // The web UI's assets (server/ui/dist), embedded by `go build`. The module's lockfile
    // pins versions the registry here does not serve (sass-embedded 1.108.1, rapidoc 12.x,
    // which only its API-docs page uses): resolve from package.json's ranges instead, with
    // rapidoc at the newest 9.x. No install scripts: the end-to-end tools would fetch
    // browsers; esbuild runs from its platform package.
    const pkgFile = path.join(src, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { dependencies: Record<string, string> };
    pkg.dependencies.rapidoc = RAPIDOC;
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    fs.rmSync(path.join(src, 'package-lock.json'), { force: true });
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: src });
    await run('npm', ['run', 'package'], { cwd: src });
    await run('go', ['build', '-trimpath', '-ldflags', `-s -w -X github.com/axllent/mailpit/config.Version=v${MAILPIT_VERSION}`, '-o', bin(cfg), '.'], {
      cwd: src,
      env: { CGO_ENABLED: '0' },
    });
    fs.rmSync(src, { recursive: true, force: true });
    fs.writeFileSync(marker(dir(cfg)), MAILPIT_VERSION);
  },
  async command(cfg) {
    return {
      cmd: bin(cfg),
      args: [
        '--smtp',
        `127.0.0.1:${portOf(cfg.mail.smtpUrl)}`,
        '--listen',
        `127.0.0.1:${portOf(cfg.mail.mailpitUrl)}`,
        '--database',
        path.join(stateDir(cfg, 'mailpit'), 'mailpit.db'),
        '--smtp-auth-accept-any',
        '--smtp-auth-allow-insecure',
        '--disable-version-check',
        '--quiet',
      ],
    };
  },
  healthy: (cfg) => httpOk(`${cfg.mail.mailpitUrl}/readyz`),
};
