/** Back-office activities: the bulk catalogue import (low priority). Idempotent by import id. */
import crypto from 'node:crypto';
import { Types } from 'mongoose';
import type { EventPublisher } from '../src/infra/events';
import { policyFieldsOf, policyOf, type SalonPolicy } from '../src/domain/policy';
import type { Models } from '../src/infra/models';
import { TOPICS } from '../src/shared/topics';

export interface CatalogueImport {
  importId: string;
  salons: Record<string, unknown>[];
}

/** The same import, run again, writes the same documents: ids derive from the import id. */
const idFor = (...parts: (string | number)[]) =>
  new Types.ObjectId(crypto.createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 24));

export function createCatalogueActivities(deps: { models: Models; events: EventPublisher }) {
  return {
    async importCatalogue({ importId, salons }: CatalogueImport): Promise<{ salons: number; services: number }> {
      let services = 0;
      for (const [i, raw] of salons.entries()) {
        const salon = raw as {
          name: string;
          city: string;
          address?: string;
          timezone: string;
          cancellationWindowHours?: number;
          policy?: Partial<SalonPolicy>;
          services?: Record<string, unknown>[];
        };
        const policy = policyFieldsOf(salon);
        const salonId = idFor(importId, i);
        await deps.models.Salon.updateOne(
          { _id: salonId },
          {
            $setOnInsert: {
              name: salon.name,
              city: salon.city,
              cityKey: salon.city.toLowerCase(),
              ...(salon.address ? { address: salon.address } : {}),
              timezone: salon.timezone,
              cancellationWindowHours: policyOf(policy).cancellationWindowHours,
              policy,
            },
          },
          { upsert: true },
        );
        for (const [j, svc] of (salon.services ?? []).entries()) {
          await deps.models.Service.updateOne(
            { _id: idFor(importId, i, j) },
            { $setOnInsert: { ...svc, bufferMin: svc.bufferMin ?? 0, active: svc.active ?? true, salonId: String(salonId) } },
            { upsert: true },
          );
          services++;
        }
        await deps.events.publish(
          TOPICS.salonUpdates,
          String(salonId),
          { salonId: String(salonId), entity: 'salon', entityId: String(salonId), change: 'created' },
          { id: `${importId}:${i}:${TOPICS.salonUpdates}` },
        );
      }
      return { salons: salons.length, services };
    },
  };
}

export type CatalogueActivities = ReturnType<typeof createCatalogueActivities>;
