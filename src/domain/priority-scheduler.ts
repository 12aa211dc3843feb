/**
 * Which intake queue the dispatcher reads next: weighted round-robin in priority order.
 * A cycle gives high `weights.high` turns first, then normal `weights.normal`, then low
 * `weights.low`; a queue found empty gives its turn to the next one with credit.
 *
 * Starvation bound: while every queue is backlogged, a cycle is W = high + normal + low
 * turns, so a message at the head of a queue waits at most W − weight(its queue) turns
 * (the dispatcher takes up to 30 messages on a high turn, up to 10 on the others). With
 * the default 7/2/1: normal gets at least 2 turns in 10 and waits at most 8 turns
 * (≤ 220 messages); low gets at least 1 in 10 and waits at most 9 turns (≤ 230 messages).
 */
import { PRIORITIES, type Priority } from './priority';

export type Weights = Record<Priority, number>;
export const DEFAULT_WEIGHTS: Weights = { high: 7, normal: 2, low: 1 };

export class PriorityScheduler {
  private credits: Weights;

  constructor(private readonly weights: Weights = DEFAULT_WEIGHTS) {
    this.credits = { ...weights };
  }

  /** Queues in the order to try now: those with credit, by priority, then the rest. */
  order(): Priority[] {
    if (PRIORITIES.every((p) => this.credits[p] <= 0)) this.credits = { ...this.weights };
    const withCredit = PRIORITIES.filter((p) => this.credits[p] > 0);
    return [...withCredit, ...PRIORITIES.filter((p) => !withCredit.includes(p))];
  }

  /** A turn was served from `priority`. */
  served(priority: Priority): void {
    this.credits[priority] -= 1;
  }

  /** Every queue was empty: a new cycle starts with the next message. */
  idle(): void {
    this.credits = { ...this.weights };
  }

  /** Most turns the head of `priority` waits while every queue is backlogged. */
  static starvationBound(priority: Priority, weights: Weights = DEFAULT_WEIGHTS): number {
    return PRIORITIES.reduce((sum, p) => sum + weights[p], 0) - weights[priority];
  }
}
