/**
 * One structured logger per process (pino), named by its role. No credential reaches a
 * log line: headers that carry one (authorization, cookies, signatures, secrets, API
 * keys, tokens) are replaced by "[redacted]" wherever a request or response is logged,
 * and the same names are censored at the places other objects put headers.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config';

export const REDACTED = '[redacted]';

/** Header names whose values are credentials. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|signature|secret|token|api-?key|password|credential/i;

export const isSecretHeader = (name: string): boolean => SECRET_HEADER.test(name);

/** A copy of the headers with every credential replaced. */
export function redactHeaders<T extends Record<string, unknown> | undefined>(headers: T): T {
  if (!headers || typeof headers !== 'object') return headers;
  let copy: Record<string, unknown> | undefined;
  for (const name of Object.keys(headers)) {
    if (isSecretHeader(name)) (copy ??= { ...headers })[name] = REDACTED;
  }
  return (copy ?? headers) as T;
}

/** A serialized request or response with its credentials scrubbed. */
const scrubbed = <T>(message: T): T => {
  const headers = (message as { headers?: Record<string, unknown> } | undefined)?.headers;
  return headers && typeof headers === 'object' ? { ...message, headers: redactHeaders(headers) } : message;
};

/** Request and response serializers for pino-http (which applies pino's standard ones first). */
export const redactingSerializers = { req: scrubbed, res: scrubbed };

const NAMES = ['authorization', 'Authorization', 'cookie', 'set-cookie', 'stripe-signature', 'x-api-key'];
/** Where headers sit in objects logged as they are (an HTTP client's error, a request config). */
const REDACT_PATHS = NAMES.flatMap((n) => [`headers["${n}"]`, `*.headers["${n}"]`, `*.*.headers["${n}"]`]);

export function loggerOptions(cfg: Pick<Config, 'logLevel'>, role: string): LoggerOptions {
  return {
    level: cfg.logLevel,
    base: { role, pid: process.pid },
    serializers: {
      ...pino.stdSerializers,
      req: (req) => scrubbed(pino.stdSerializers.req(req)),
      res: (res) => scrubbed(pino.stdSerializers.res(res)),
    },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
}

export function createLogger(cfg: Pick<Config, 'logLevel'>, role: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(cfg, role), destination) : pino(loggerOptions(cfg, role));
}
