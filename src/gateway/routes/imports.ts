/** Bulk catalogue imports: back-office work, so low priority, and shed first under load. */
import crypto from 'node:crypto';
import type { Express } from 'express';
import { AppError } from '../../domain/errors';
import type { AdmissionControl } from '../admission';
import { requireRole } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { ImportBody } from '../schemas';
import type { Enqueue } from '../../infra/intake';

export function importRoutes(
  app: Express,
  deps: { admission: AdmissionControl; enqueue: Enqueue },
): void {
  app.post('/v1/imports', requireRole('operator'), async (req, res) => {
    const body = parse(ImportBody, req.body);
    const refused = deps.admission.refusal('low');
    if (refused) throw new AppError('unavailable', `low-priority work is paused: ${refused}; retry later`, { retryAfterSec: 30 });
    const importId = body.importId ?? crypto.randomUUID();
    await deps.enqueue('low', { kind: 'catalogueImport', version: 1, importId, salons: body.salons });
    res.status(202).json({ importId, priority: 'low' });
  });
}
