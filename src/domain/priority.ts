/**
 * The one priority classifier, used by SQS routing and Temporal task-queue routing alike.
 * - high: the appointment starts within 24 h of the request, or the service has an active promotion;
 * - normal: every other new booking, and cancellations;
 * - low: back-office and batch work (reminders, bulk imports, backfills).
 */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The priorities served before `priority`, highest first. */
export const prioritiesAbove = (priority: Priority): readonly Priority[] => PRIORITIES.slice(0, PRIORITIES.indexOf(priority));

export const IMMINENT_WITHIN_MS = 24 * 3_600_000;

export type PriorityRequest =
  | { kind: 'booking'; start: Date; requestedAt: Date; promotionActive: boolean }
  | { kind: 'cancellation' }
  | { kind: 'backoffice' };

export function classifyPriority(req: PriorityRequest): Priority {
  switch (req.kind) {
    case 'booking': {
      const lead = req.start.getTime() - req.requestedAt.getTime();
      return lead <= IMMINENT_WITHIN_MS || req.promotionActive ? 'high' : 'normal';
    }
    case 'cancellation':
      return 'normal';
    case 'backoffice':
      return 'low';
  }
}
