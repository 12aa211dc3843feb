/**
 * A benchmark's intake: the product's dispatcher on moto (`startDispatcher`, its queues
 * emptied before and after), or the same dispatcher (`runDispatcher`) and the same AWS SDK
 * calls on SQS answered in this process (MemorySqs): the figure with moto's work taken out.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import type { Config } from '../../src/config';
import { ensureIntakeQueues, type IntakeQueues } from '../../src/infra/intake';
import { createSqsClient } from '../../src/infra/sqs';
import { quietMetrics } from '../../test/support/activity-deps';
import { emptyIntakeQueues } from '../../test/support/sqs';
import { type DispatcherDeps, runDispatcher, startDispatcher } from '../../workers/dispatcher';
import { MemorySqs } from './memory-sqs';

export interface BenchIntake {
  /** A client to send with, on the same queues the dispatcher reads. */
  sqs: SQSClient;
  queues: IntakeQueues;
  /** Stops the dispatcher; on moto, what the run left on the queues goes with it. */
  stop: () => Promise<void>;
}

type Options = Pick<DispatcherDeps, 'onStart' | 'idleWaitSec' | 'fairnessKeyOf' | 'startsPerSalonPerSec'>;

export async function benchIntake(cfg: Config, client: Client, sqsInMemory: boolean, options: Options): Promise<BenchIntake> {
  if (!sqsInMemory) {
    await emptyIntakeQueues(cfg);
    const sqs = createSqsClient(cfg);
    const queues = await ensureIntakeQueues(sqs, cfg);
    const dispatcher = await startDispatcher(cfg, pino({ level: 'warn' }), options);
    return { sqs, queues, stop: () => dispatcher.stop().then(() => emptyIntakeQueues(cfg)).finally(() => sqs.destroy()) };
  }
  const memory = new MemorySqs(cfg.intake.visibilityTimeoutSec);
  const queues = memory.intakeQueues();
  const dispatcher = runDispatcher({
    sqs: memory.client(cfg),
    queues,
    temporal: client,
    metrics: quietMetrics,
    logger: pino({ level: 'warn' }),
    visibilityTimeoutSec: cfg.intake.visibilityTimeoutSec,
    startsPerSalonPerSec: cfg.intake.startsPerSalonPerSec,
    ...options,
  });
  return { sqs: memory.client(cfg), queues, stop: () => dispatcher.stop() };
}
