/** The MongoDB wire protocol: FerretDB on SQLite, built with Go from its source (with two changes, SOURCE_EDITS). */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { type Config, portOf } from '../../../src/config';
import { run } from '../proc';
import { type Component, exists, stateDir, toolDir } from './install';

export const FERRETDB_VERSION = '1.24.2';

/**
 * The two changes made to FerretDB's source before it is built, both in its SQLite
 * backend, so that a document is found by its `_id` through the `_id` index, as on
 * MongoDB, instead of by reading the whole collection (measured on 5,000 bookings: a
 * read by `_id` 73 → 1.7 ms, an update by `_id` 144 → 1.8 ms, a guarded update such as
 * `{_id, status: 'pending'}` 599 → 1.9 ms; the cost grew with every booking stored):
 * - the SQL names `_id` with the very expression its index was created on, so SQLite
 *   uses the index (it compares the expressions as written: `->'$._id'` against the
 *   index's `->"_id"`, the same value, was a SCAN of the table for every lookup,
 *   update and delete by `_id`);
 * - `_id` equality is pushed down to SQL whatever else the filter holds, not only when
 *   the filter is `{_id}` alone: otherwise every document was decoded and filtered in
 *   Go. The handler still applies the whole filter to the rows SQL returns, so every
 *   answer is the same. (Upstream marks this condition a TODO, FerretDB issue 3235;
 *   v1 gets no more releases.)
 */
const SOURCE_EDITS = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: 'IDColumn = DefaultColumn + `->"_id"`',
    occurrences: 1,
  },
  // In Query, and in Explain, which reports the pushdown.
  { file: 'internal/backends/sqlite/collection.go', from: 'if params.Filter.Len() == 1 {', to: 'if params.Filter.Len() > 0 {', occurrences: 2 },
];
const FERRETDB_BUILD = `${FERRETDB_VERSION}-id-index`;

/** Applies SOURCE_EDITS to the source in `src`; throws if it is not the source they were written for. */
function editSource(src: string): void {
  for (const edit of SOURCE_EDITS) {
    const file = path.join(src, edit.file);
    const code = fs.readFileSync(file, 'utf8');
    const found = code.split(edit.from).length - 1;
    if (found !== edit.occurrences) {
      throw new Error(`FerretDB ${FERRETDB_VERSION}: expected ${edit.occurrences} × ${edit.from} in ${edit.file}, found ${found}`);
    }
    fs.writeFileSync(file, code.replaceAll(edit.from, edit.to));
  }
}

const ferretDir = (cfg: Config): string => toolDir(cfg, 'ferretdb', FERRETDB_BUILD);
const ferretBin = (cfg: Config): string => path.join(ferretDir(cfg), 'bin', 'ferretdb');

export const ferretdb: Component = {
  name: 'ferretdb',
  version: FERRETDB_BUILD,
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
    editSource(src);
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
