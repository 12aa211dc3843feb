/** Kafka topics and the event envelope every producer and consumer shares. */
export const TOPICS = {
  bookingCreated: 'reserva.creada',
  bookingConfirmed: 'reserva.confirmada',
  bookingCancelled: 'reserva.cancelada',
  bookingFailed: 'reserva.fallida',
  bookingReminder: 'reserva.recordatorio',
  bookingCheckedIn: 'reserva.presentada',
  bookingCompleted: 'reserva.completada',
  bookingNoShow: 'reserva.no_presentada',
  bookingRescheduled: 'reserva.reprogramada',
  /** Stripe's charge.refunded, for any refund of a booking's charge (ours, or one made in Stripe's dashboard). */
  bookingRefunded: 'reserva.reembolsada',
  /** Stripe's charge.dispute.created: the client disputed the booking's charge. */
  bookingDisputed: 'reserva.disputada',
  /** A freed slot is held for a waitlisted client until `expiresAt`. */
  waitlistOffered: 'listaespera.ofrecida',
  /** A waitlist booking was confirmed: the freed slot is booked again. */
  waitlistBooked: 'listaespera.reservada',
  userRegistered: 'user.registered',
  salonUpdates: 'salones.actualizaciones',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  data: T;
}

/** `salones.actualizaciones` payload: what changed in a salon's catalogue. */
export interface SalonUpdate {
  salonId: string;
  entity: 'salon' | 'service' | 'staff' | 'promotion';
  entityId: string;
  change: 'created' | 'updated';
}
