/** Routes the Temporal SDK's own logs (worker, activities, workflows) into the process's pino logger. */
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { Runtime, type Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

function adapter(logger: Logger): TemporalLogger {
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) => logger[LEVELS[level]]({ ...meta }, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

let installed = false;

/** Installs the runtime once per process; later calls keep the first logger. */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: adapter(logger.child({ component: 'temporal' })) });
  } catch {
    // Already installed (for example by a test environment): keep it.
  }
}
