/** Apache Kafka in KRaft mode, one node, from its Maven Central jars. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { type Config, portOf } from '../../../src/config';
import { ensureTopics, topicSettings } from '../../../src/infra/events';
import { createKafka } from '../../../src/infra/kafka';
import { run } from '../proc';
import { type Component, exists, marker, mavenInstall, stateDir, toolDir } from './install';

export const KAFKA_VERSION = '3.9.1';

const kafkaDir = (cfg: Config): string => toolDir(cfg, 'kafka', KAFKA_VERSION);

export const kafka: Component = {
  name: 'kafka',
  version: KAFKA_VERSION,
  startTimeoutMs: 90_000,
  ports: (cfg) => [portOf(cfg.kafka.brokers[0]!), cfg.kafka.controllerPort],
  installed: (cfg) => exists(marker(kafkaDir(cfg))),
  install: (cfg) =>
    mavenInstall(kafkaDir(cfg), [
      ['org.apache.kafka', 'kafka_2.13', KAFKA_VERSION],
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
        // A topic created on first use gets the product's partitions too.
        `num.partitions=${cfg.kafka.topicPartitions}`,
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
        // The client compiler only. A just-started broker's C2 compiler thread took half
        // of Kafka's CPU through the saga benchmark (and was still at it minutes later);
        // at a local stack's traffic C1's code serves as well (README, Benchmarks).
        '-XX:TieredStopAtLevel=1',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${log4j}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        props,
      ],
    };
  },
  // The product's topics exist before any of its consumers subscribes: a brand-new
  // broker has none, and a consumer first to ask gets "does not host this topic-partition".
  prepare: (cfg) => ensureTopics(createKafka(cfg, { clientId: 'instudio-stack' }), topicSettings(cfg)),
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
