/** One structured logger per process (pino), named by its role. */
import pino, { type Logger } from 'pino';
import type { Config } from '../config';

export function createLogger(cfg: Pick<Config, 'logLevel'>, role: string): Logger {
  return pino({ level: cfg.logLevel, base: { role, pid: process.pid } });
}
