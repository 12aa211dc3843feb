/** The MongoDB wire protocol: FerretDB on SQLite, built with Go. */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { type Config, portOf } from '../../../src/config';
import { run } from '../proc';
import { type Component, exists, stateDir, toolDir } from './install';

export const FERRETDB_VERSION = '1.24.2';

const ferretDir = (cfg: Config): string => toolDir(cfg, 'ferretdb', FERRETDB_VERSION);
const ferretBin = (cfg: Config): string => path.join(ferretDir(cfg), 'bin', 'ferretdb');

export const ferretdb: Component = {
  name: 'ferretdb',
  version: FERRETDB_VERSION,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.mongo.uri)],
  installed: (cfg) => exists(ferretBin(cfg)),
  async install(cfg) {
    // `go install` builds a binary that panics at start: the generated version file is
    // missing from the module (FerretDB issue 2982). Build from a copy that has it.
    const module = `github.com/FerretDB/FerretDB@v${FERRETDB_VERSION}`;
    const info = JSON.parse(await run('go', ['mod', 'download', '-json', module])) as { Dir: string };
    const src = path.join(ferretDir(cfg), 'src');
    fs.rmSync(src, { recursive: true, force: true });
    fs.cpSync(info.Dir, src, { recursive: true });
    await run('chmod', ['-R', 'u+w', src]);
    fs.mkdirSync(path.join(src, 'build', 'version'), { recursive: true });
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}`);
    await run('go', ['build', '-o', ferretBin(cfg), './cmd/ferretdb'], { cwd: src, env: { CGO_ENABLED: '0' } });
    fs.rmSync(src, { recursive: true, force: true });
  },
  async command(cfg) {
    const dir = stateDir(cfg, 'ferretdb');
    return {
      cmd: ferretBin(cfg),
      args: [
        '--handler=sqlite',
        // WAL (FerretDB's default) with synchronous=NORMAL: a commit no longer waits for an
        // fsync (an application crash loses nothing; a power cut may lose the last commits).
        `--sqlite-url=file:${dir}/?_pragma=synchronous(normal)`,
        `--listen-addr=127.0.0.1:${portOf(cfg.mongo.uri)}`,
        `--state-dir=${dir}`,
        '--telemetry=disable',
        '--debug-addr=-', // its metrics listener would clash between two stacks
        '--log-level=warn',
      ],
    };
  },
  async healthy(cfg) {
    const conn = mongoose.createConnection(cfg.mongo.uri, { serverSelectionTimeoutMS: 1000 });
    try {
      await conn.asPromise();
      await conn.db!.admin().ping();
      return true;
    } catch {
      return false;
    } finally {
      await conn.close().catch(() => undefined);
    }
  },
};
