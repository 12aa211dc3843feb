/**
 * Dynamic config the Temporal server runs with, here (`temporal server start-dev
 * --dynamic-config-value`) and in docker-compose (deploy/temporal/dynamic-config.yaml,
 * checked against this by a unit test):
 * - the new matcher, which orders a backlog by the priority key (1 first, 5 last);
 * - fairness, which shares a priority level's dispatch between fairness keys (the
 *   booking saga's key is its salon), so one salon's burst cannot starve the others;
 * - one partition per task queue: with the default four, a backlog is split across
 *   partitions that are each ordered on their own, and a few pollers leave tasks in
 *   unpolled partitions for up to a long poll.
 */
export const TEMPORAL_DYNAMIC_CONFIG = {
  'matching.useNewMatcher': true,
  'matching.enableFairness': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const;
