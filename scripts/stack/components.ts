/**
 * The servers of the local stack. Each one installs itself on first use into the tools
 * directory (one folder per version, outside git), runs as a real process on 127.0.0.1,
 * and says when it is healthy.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { type Config, portOf } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { httpOk, run } from './proc';

export const VERSIONS = {
  temporal: '1.5.1',
  kafka: '3.9.1',
  moto: '5.2.5',
  ferretdb: '1.24.2',
  localstripe: '1.15.10',
  schemathesis: '4.32.5',
  temporalTestServer: '1.38.0',
} as const;

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
  /** How long a start may take before it counts as failed. */
  startTimeoutMs: number;
}

const toolDir = (cfg: Config, name: string, version: string): string => path.join(cfg.toolsDir, `${name}-${version}`);
const stateDir = (cfg: Config, name: string): string => {
  const dir = path.join(cfg.stateDir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};
const exists = (file: string): boolean => fs.existsSync(file);
const marker = (dir: string): string => path.join(dir, '.installed');

/** Installs a pinned PyPI package into a virtualenv of its own. */
async function pipInstall(dir: string, requirement: string): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', dir]);
  await run(path.join(dir, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', requirement]);
  fs.writeFileSync(marker(dir), requirement);
}

/** Copies pinned Maven Central artifacts and their dependencies into `<dir>/lib`. */
async function mavenInstall(dir: string, artifacts: [group: string, artifact: string, version: string][]): Promise<void> {
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

const temporalBin = (cfg: Config): string => path.join(toolDir(cfg, 'temporal', VERSIONS.temporal), 'bin', 'temporal');

const temporal: Component = {
  name: 'temporal',
  version: VERSIONS.temporal,
  startTimeoutMs: 120_000,
  ports: (cfg) => [portOf(cfg.temporal.address), cfg.temporal.uiPort],
  installed: (cfg) => exists(temporalBin(cfg)),
  async install(cfg) {
    // Tags from v1.6 carry a `replace` directive that `go install` refuses.
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${VERSIONS.temporal}`], {
      env: { GOBIN: path.dirname(temporalBin(cfg)), CGO_ENABLED: '0' },
    });
  },
  async command(cfg) {
    const dir = stateDir(cfg, 'temporal');
    const attributes = Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
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
        '--db-filename',
        path.join(dir, 'temporal.db'),
        '--namespace',
        cfg.temporal.namespace,
        '--log-level',
        'warn',
        ...attributes,
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

const kafkaDir = (cfg: Config): string => toolDir(cfg, 'kafka', VERSIONS.kafka);

const kafka: Component = {
  name: 'kafka',
  version: VERSIONS.kafka,
  startTimeoutMs: 90_000,
  ports: (cfg) => [portOf(cfg.kafka.brokers[0]!), cfg.kafka.controllerPort],
  installed: (cfg) => exists(marker(kafkaDir(cfg))),
  install: (cfg) =>
    mavenInstall(kafkaDir(cfg), [
      ['org.apache.kafka', 'kafka_2.13', VERSIONS.kafka],
      ['ch.qos.reload4j', 'reload4j', '1.2.25'],
      ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
    ]),
  async command(cfg) {
    const dir = stateDir(cfg, 'kafka');
    const port = portOf(cfg.kafka.brokers[0]!);
    const props = path.join(dir, 'server.properties');
    fs.writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${cfg.kafka.controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cfg.kafka.controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        'inter.broker.listener.name=PLAINTEXT',
        `log.dirs=${path.join(dir, 'data')}`,
        'num.partitions=3',
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=true',
        '',
      ].join('\n'),
    );
    const log4j = path.join(dir, 'log4j.properties');
    fs.writeFileSync(
      log4j,
      'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n' +
        'log4j.logger.kafka.server.KafkaServer=INFO\nlog4j.logger.kafka.server.KafkaRaftServer=INFO\n',
    );
    const clusterIdFile = path.join(dir, 'cluster-id');
    if (!exists(clusterIdFile)) fs.writeFileSync(clusterIdFile, crypto.randomBytes(16).toString('base64url'));
    const classpath = `${path.join(kafkaDir(cfg), 'lib')}/*`;
    await run('java', [
      '-cp',
      classpath,
      `-Dlog4j.configuration=file:${log4j}`,
      'kafka.tools.StorageTool',
      'format',
      // `=`: a random id may start with '-', which would read as an option.
      `--cluster-id=${fs.readFileSync(clusterIdFile, 'utf8').trim()}`,
      `--config=${props}`,
      '--ignore-formatted',
    ]);
    return {
      cmd: 'java',
      args: [
        '-Xms256m',
        '-Xmx768m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${log4j}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        props,
      ],
    };
  },
  async healthy(cfg) {
    const admin = new Kafka({
      clientId: 'instudio-stack',
      brokers: cfg.kafka.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};

const motoDir = (cfg: Config): string => toolDir(cfg, 'moto', VERSIONS.moto);

/**
 * moto reads a queue's `attributes` for a single setting in SendMessage (one flag) and
 * in ReceiveMessage (the retention period, once per message), and building them counts
 * the queue's messages (visible, delayed, in flight) with a clock read per message:
 * each send costs O(queue length) and each receive O(length²) — 215 messages/s into an
 * empty queue, 34/s once it held a thousand. This launcher skips those three counts
 * (0) inside the calls that never use them; GetQueueAttributes still counts.
 */
const MOTO_LAUNCHER = `
import sys, threading
from moto.sqs import models
local = threading.local()
def counted_unless_skipped(name):
    count = getattr(models.Queue, name).fget
    setattr(models.Queue, name, property(lambda self: 0 if getattr(local, 'skip', False) else count(self)))
for name in ('approximate_number_of_messages', 'approximate_number_of_messages_delayed', 'approximate_number_of_messages_not_visible'):
    counted_unless_skipped(name)
def skipping_counts(fn):
    def wrapper(*args, **kwargs):
        outer = getattr(local, 'skip', False)
        local.skip = True
        try:
            return fn(*args, **kwargs)
        finally:
            local.skip = outer
    return wrapper
for name in ('send_message', '_validate_message', 'is_message_valid_based_on_retention_period'):
    setattr(models.SQSBackend, name, skipping_counts(getattr(models.SQSBackend, name)))
from moto.server import main
main(sys.argv[1:])
`;

const moto: Component = {
  name: 'moto',
  version: VERSIONS.moto,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.aws.endpoint)],
  installed: (cfg) => exists(marker(motoDir(cfg))),
  install: (cfg) => pipInstall(motoDir(cfg), `moto[server]==${VERSIONS.moto}`),
  async command(cfg) {
    return {
      cmd: path.join(motoDir(cfg), 'bin', 'python3'),
      args: ['-c', MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(portOf(cfg.aws.endpoint))],
    };
  },
  healthy: (cfg) => httpOk(`${cfg.aws.endpoint}/moto-api/`),
};

const ferretDir = (cfg: Config): string => toolDir(cfg, 'ferretdb', VERSIONS.ferretdb);
const ferretBin = (cfg: Config): string => path.join(ferretDir(cfg), 'bin', 'ferretdb');

const ferretdb: Component = {
  name: 'ferretdb',
  version: VERSIONS.ferretdb,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.mongo.uri)],
  installed: (cfg) => exists(ferretBin(cfg)),
  async install(cfg) {
    // `go install` builds a binary that panics at start: the generated version file is
    // missing from the module (FerretDB issue 2982). Build from a copy that has it.
    const module = `github.com/FerretDB/FerretDB@v${VERSIONS.ferretdb}`;
    const info = JSON.parse(await run('go', ['mod', 'download', '-json', module])) as { Dir: string };
    const src = path.join(ferretDir(cfg), 'src');
    fs.rmSync(src, { recursive: true, force: true });
    fs.cpSync(info.Dir, src, { recursive: true });
    await run('chmod', ['-R', 'u+w', src]);
    fs.mkdirSync(path.join(src, 'build', 'version'), { recursive: true });
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `v${VERSIONS.ferretdb}`);
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

const stripeDir = (cfg: Config): string => toolDir(cfg, 'localstripe', VERSIONS.localstripe);

/**
 * localstripe keeps its store in a fixed /tmp/localstripe.pickle, rewritten whole on
 * every change: two stacks would share it, a stop mid-write leaves a truncated file that
 * fails the next start, and one payment (intent, charge, balance transaction, ...)
 * rewrites a store of a few MB several times — at a few thousand payments that capped
 * localstripe at 4 payments/s with its CPU mostly idle. This launcher keeps the store in
 * the stack's state directory, writes it atomically, and at most every
 * LOCALSTRIPE_FLUSH_MS (on the server's own event loop, so never mid-change), and once
 * more when the server stops.
 */
const LOCALSTRIPE_LAUNCHER = `
import asyncio, os, pickle, sys
from localstripe import resources
from localstripe.server import app, start
path = os.environ['LOCALSTRIPE_STORE']
interval = int(os.environ.get('LOCALSTRIPE_FLUSH_MS', '250')) / 1000
dirty = False
def load(self):
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f)
        self.clear()
        self.update(data)
    except (FileNotFoundError, EOFError, pickle.UnpicklingError):
        pass
def write():
    global dirty
    if not dirty:
        return
    dirty = False
    with open(path + '.tmp', 'wb') as f:
        pickle.dump(resources.store, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + '.tmp', path)
def mark_dirty(self):
    global dirty
    dirty = True
async def flush_periodically():
    while True:
        await asyncio.sleep(interval)
        write()
async def on_startup(app):
    app['flusher'] = asyncio.ensure_future(flush_periodically())
async def on_cleanup(app):
    app['flusher'].cancel()
    write()
resources.Store.try_load_from_disk = load
resources.Store.dump_to_disk = mark_dirty
app.on_startup.append(on_startup)
app.on_cleanup.append(on_cleanup)
sys.argv = ['localstripe'] + sys.argv[1:]
start()
`;

const localstripe: Component = {
  name: 'localstripe',
  version: VERSIONS.localstripe,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.stripe.apiUrl)],
  installed: (cfg) => exists(marker(stripeDir(cfg))),
  install: (cfg) => pipInstall(stripeDir(cfg), `localstripe==${VERSIONS.localstripe}`),
  async command(cfg) {
    return {
      cmd: path.join(stripeDir(cfg), 'bin', 'python3'),
      args: ['-c', LOCALSTRIPE_LAUNCHER, '--port', String(portOf(cfg.stripe.apiUrl))],
      env: { LOCALSTRIPE_STORE: path.join(stateDir(cfg, 'localstripe'), 'store.pickle') },
    };
  },
  healthy: (cfg) =>
    httpOk(`${cfg.stripe.apiUrl}/v1/customers`, { headers: { Authorization: `Bearer ${cfg.stripe.secretKey}` } }),
};

export const COMPONENTS: readonly Component[] = [temporal, kafka, moto, ferretdb, localstripe];

const schemathesisDir = (cfg: Config): string => toolDir(cfg, 'schemathesis', VERSIONS.schemathesis);

/** Property-based API testing against /openapi.json (run by test/api/schemathesis.test.ts). */
export const schemathesis: Tool & { bin(cfg: Config): string } = {
  name: 'schemathesis',
  version: VERSIONS.schemathesis,
  installed: (cfg) => exists(marker(schemathesisDir(cfg))),
  install: (cfg) => pipInstall(schemathesisDir(cfg), `schemathesis==${VERSIONS.schemathesis}`),
  bin: (cfg) => path.join(schemathesisDir(cfg), 'bin', 'st'),
};

const testServerDir = (cfg: Config): string => toolDir(cfg, 'temporal-test-server', VERSIONS.temporalTestServer);

/**
 * Temporal's time-skipping test server (Java, from Maven Central) for workflow tests,
 * behind an executable wrapper as @temporalio/testing expects one.
 */
export const temporalTestServer: Tool & { bin(cfg: Config): string } = {
  name: 'temporal-test-server',
  version: VERSIONS.temporalTestServer,
  installed: (cfg) => exists(marker(testServerDir(cfg))),
  async install(cfg) {
    const dir = testServerDir(cfg);
    await mavenInstall(dir, [['io.temporal', 'temporal-test-server', VERSIONS.temporalTestServer]]);
    fs.writeFileSync(
      path.join(dir, 'temporal-test-server'),
      `#!/bin/sh\nexec java -Xmx512m -XX:TieredStopAtLevel=1 -cp '${path.join(dir, 'lib')}/*' io.temporal.testserver.TestServer "$@"\n`,
      { mode: 0o755 },
    );
  },
  bin: (cfg) => path.join(testServerDir(cfg), 'temporal-test-server'),
};

/** Everything installed on first use: the servers and the test tools. */
export const TOOLS: readonly Tool[] = [...COMPONENTS, schemathesis, temporalTestServer];
