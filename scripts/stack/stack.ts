/**
 * The local stack as a whole: install what is missing, bring every server up and wait
 * until it is healthy, report status, stop everything it started.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config';
import { COMPONENTS, type Component, TOOLS, type Tool } from './components';
import { log, portOpen, readPid, startDetached, stopGroup, tail, waitFor } from './proc';

const logFile = (cfg: Config, c: Component): string => path.join(cfg.stateDir, 'logs', `${c.name}.log`);
const pidFile = (cfg: Config, c: Component): string => path.join(cfg.stateDir, 'pids', `${c.name}.pid`);

export class StackError extends Error {}

/** Installs every missing server, concurrently, printing progress. */
export async function install(cfg: Config, components: readonly Tool[] = TOOLS): Promise<void> {
  const missing = components.filter((c) => !c.installed(cfg));
  if (missing.length === 0) return;
  log(`installing into ${cfg.toolsDir}: ${missing.map((c) => `${c.name} ${c.version}`).join(', ')}`);
  log('a first install compiles Go and downloads from Maven Central and PyPI: expect several minutes');
  const started = Date.now();
  const ticker = setInterval(() => {
    const pending = missing.filter((c) => !c.installed(cfg)).map((c) => c.name);
    log(`still installing (${Math.round((Date.now() - started) / 1000)} s): ${pending.join(', ')}`);
  }, 30_000);
  try {
    const results = await Promise.allSettled(
      missing.map(async (c) => {
        const t0 = Date.now();
        log(`${c.name} ${c.version}: installing`);
        await c.install(cfg);
        log(`${c.name} ${c.version}: installed in ${Math.round((Date.now() - t0) / 1000)} s`);
      }),
    );
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${missing[i]!.name}: ${(r.reason as Error).message}`] : [],
    );
    if (failures.length > 0) throw new StackError(`install failed\n${failures.join('\n')}`);
  } finally {
    clearInterval(ticker);
  }
}

async function startOne(cfg: Config, c: Component, opts: { prepare?: boolean } = {}): Promise<void> {
  const prepareIt = opts.prepare ?? true;
  const running = readPid(pidFile(cfg, c));
  if (running !== undefined && (await c.healthy(cfg))) {
    log(`${c.name}: already running (pid ${running})`);
    if (prepareIt) await prepare(cfg, c);
    return;
  }
  if (running !== undefined) await stopGroup(running);
  for (const port of c.ports(cfg)) {
    if (await portOpen(port)) {
      throw new StackError(
        `${c.name}: port ${port} is already in use by another process; stop it or choose another port (see README, Configuration)`,
      );
    }
  }
  let prepared: Awaited<ReturnType<Component['command']>>;
  try {
    prepared = await c.command(cfg);
  } catch (err) {
    throw new StackError(`${c.name} could not be prepared: ${(err as Error).message}`);
  }
  const { cmd, args, env } = prepared;
  const logPath = logFile(cfg, c);
  const pid = startDetached(cmd, args, { env, logFile: logPath, pidFile: pidFile(cfg, c) });
  const t0 = Date.now();
  const healthy = await waitFor(async () => {
    if (readPid(pidFile(cfg, c)) === undefined) return true; // exited: reported below
    return c.healthy(cfg);
  }, c.startTimeoutMs);
  const exited = readPid(pidFile(cfg, c)) === undefined;
  if (!healthy || exited) {
    if (!exited) await stopGroup(pid);
    throw new StackError(
      `${c.name} did not become healthy ${exited ? '(the process exited)' : `within ${c.startTimeoutMs / 1000} s`}\n` +
        `  command: ${cmd} ${args.join(' ')}\n  log: ${logPath}\n${tail(logPath)}`,
    );
  }
  log(`${c.name}: healthy on port ${c.ports(cfg)[0]} (pid ${pid}, ${Math.round((Date.now() - t0) / 1000)} s)`);
  if (prepareIt) await prepare(cfg, c);
}

async function prepare(cfg: Config, c: Component): Promise<void> {
  try {
    await c.prepare?.(cfg);
  } catch (err) {
    throw new StackError(`${c.name} is healthy but could not be prepared: ${(err as Error).message}
  log: ${logFile(cfg, c)}`);
  }
}

/** Idempotent: installs what is missing, starts what is not running, waits for health. */
export async function up(cfg: Config): Promise<void> {
  await install(cfg);
  fs.mkdirSync(cfg.stateDir, { recursive: true });
  const results = await Promise.allSettled(COMPONENTS.map((c) => startOne(cfg, c)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length > 0) throw new StackError(failures.join('\n\n'));
}

async function stopOne(cfg: Config, c: Component): Promise<void> {
  const pid = readPid(pidFile(cfg, c));
  if (pid !== undefined) {
    await stopGroup(pid);
    log(`${c.name}: stopped (pid ${pid})`);
  }
  fs.rmSync(pidFile(cfg, c), { force: true });
}

/** Stops every server this state directory started. */
export async function down(cfg: Config): Promise<void> {
  await Promise.all(COMPONENTS.map((c) => stopOne(cfg, c)));
}

const component = (name: string): Component => {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c) throw new StackError(`unknown component ${name}; one of ${COMPONENTS.map((x) => x.name).join(', ')}`);
  return c;
};

/** Stops one server (its data stays): for outage tests and chaos trials. */
export const stopComponent = (cfg: Config, name: string): Promise<void> => stopOne(cfg, component(name));

/**
 * Starts one server (again) and waits until it is healthy; `prepare: false` leaves it as
 * it comes up (e.g. a brand-new Kafka without the product's topics).
 */
export const startComponent = (cfg: Config, name: string, opts: { prepare?: boolean } = {}): Promise<void> =>
  startOne(cfg, component(name), opts);

export interface ComponentStatus {
  name: string;
  version: string;
  pid: number | undefined;
  port: number;
  healthy: boolean;
  log: string;
}

export async function status(cfg: Config): Promise<ComponentStatus[]> {
  return Promise.all(
    COMPONENTS.map(async (c) => {
      const pid = readPid(pidFile(cfg, c));
      return {
        name: c.name,
        version: c.version,
        pid,
        port: c.ports(cfg)[0]!,
        healthy: pid !== undefined && (await c.healthy(cfg)),
        log: logFile(cfg, c),
      };
    }),
  );
}

export function formatStatus(rows: ComponentStatus[]): string {
  const header = ['component', 'version', 'pid', 'port', 'health', 'log'];
  const lines = rows.map((r) => [
    r.name,
    r.version,
    r.pid === undefined ? '-' : String(r.pid),
    String(r.port),
    r.pid === undefined ? 'stopped' : r.healthy ? 'healthy' : 'UNHEALTHY',
    r.log,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function logs(cfg: Config, name?: string, lines = 40): string {
  const chosen = name === undefined ? COMPONENTS : [component(name)];
  return chosen.map((c) => `== ${c.name} (${logFile(cfg, c)})\n${tail(logFile(cfg, c), lines)}`).join('\n\n');
}
