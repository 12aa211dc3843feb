/** Kafka client (kafkajs) configured for the product's brokers, with kafkajs logs routed to one logger. */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config';

export type KafkaLogSink = (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: object) => void;

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(cfg: Config, opts: { clientId?: string; sink?: KafkaLogSink } = {}): Kafka {
  const sink = opts.sink;
  return new Kafka({
    clientId: opts.clientId ?? cfg.kafka.clientId,
    brokers: cfg.kafka.brokers,
    connectionTimeout: 3000,
    logLevel: sink ? logLevel.WARN : logLevel.NOTHING,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        sink?.(levels[level] ?? 'info', `kafkajs ${namespace}: ${message}`, extra);
      },
  });
}

/** A process's Kafka client, its kafkajs warnings and errors on the process's logger. */
export function createProcessKafka(cfg: Config, logger: Logger, clientId: string): Kafka {
  const log = logger.child({ component: 'kafka' });
  return createKafka(cfg, { clientId, sink: (level, msg, extra) => log[level](extra, msg) });
}
