/**
 * The SQS priority intake: queue names and the command the gateway enqueues and the
 * dispatcher turns into a workflow start. Validated on both sides by one schema.
 */
import { z } from 'zod';
import { PRIORITIES, type Priority } from '../domain/priority';
import type { BookingDisplay } from '../domain/saga-summary';
import type { BookingInput } from './booking';

export const queueNameFor = (priority: Priority): string => `instudio-bookings-${priority}`;

const bookingInput = z.object({
  bookingId: z.string().regex(/^[a-f0-9]{32}$/),
  customerId: z.string().min(1),
  salonId: z.string().min(1),
  serviceId: z.string().min(1),
  staffId: z.string().min(1).optional(),
  start: z.iso.datetime({ offset: true }),
  paymentMethod: z.string().min(1),
  priority: z.enum(PRIORITIES),
  correlationId: z.string(),
  requestedAt: z.iso.datetime({ offset: true }),
  holdTtlMs: z.number().int().positive().optional(),
  compensationAttempts: z.number().int().min(1).max(100).optional(),
}) satisfies z.ZodType<BookingInput>;

/** Names for the saga's summary in the Temporal UI (src/domain/saga-summary.ts). */
const bookingDisplay = z.object({
  salonName: z.string().max(200),
  serviceName: z.string().max(200),
  timezone: z.string().max(64),
}) satisfies z.ZodType<BookingDisplay>;

export const IntakeCommand = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('booking'), version: z.literal(1), input: bookingInput, display: bookingDisplay.optional() }),
  z.object({
    kind: z.literal('catalogueImport'),
    version: z.literal(1),
    importId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    /** The salons and services to create, as the import file holds them. */
    salons: z.array(z.record(z.string(), z.unknown())).max(1000),
  }),
]);
export type IntakeCommand = z.infer<typeof IntakeCommand>;
