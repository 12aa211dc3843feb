/**
 * Dynamic config the Temporal server runs with, here (`temporal server start-dev
 * --dynamic-config-value`) and in docker-compose (deploy/temporal/dynamic-config.yaml,
 * checked against this by a unit test):
 * - the new matcher, which orders a backlog by the priority key (1 first, 5 last);
 * - fairness, which shares a priority level's dispatch between fairness keys (the
 *   booking saga's key is its salon), so one salon's burst cannot starve the others;
 * - one partition per task queue: with the default four, a backlog is split across
 *   partitions that are each ordered on their own, and a few pollers leave tasks in
 *   unpolled partitions for up to a long poll;
 * - history's queue readers (transfer: every workflow and activity task on its way to
 *   matching; timer; visibility) load new tasks at up to 1000 times a second per shard,
 *   not 20: the dev server has one shard, so at 20 a workflow task waited 0–50 ms for
 *   the limiter once a few workflows had spent its burst, and a bare workflow of four
 *   no-op activities took 250 ms instead of 60 (README, Benchmarks).
 */
export const TEMPORAL_DYNAMIC_CONFIG = {
  'matching.useNewMatcher': true,
  'matching.enableFairness': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
} as const;
