/**
 * Every patch id the workflows have used, with what it changed. An id is never reused
 * or renamed: running executions carry it in their histories. See README, "Changing
 * the workflow".
 */
export const PATCHES = {
  /**
   * 2026-12: one path and one rule for cancellations (also one requested before the saga
   * started), compensations that do not block each other, the slot held by a
   * heartbeating activity. Executions started before it run booking-saga-v1.ts.
   */
  lifecycleV2: 'lifecycle-v2',
  /**
   * 2026-12: at confirmation. The workflow goes on past the start: check-in, complete and
   * no-show updates, auto-completion `autoCompleteHours` after the end. Executions
   * confirmed before it end at the start, as before.
   */
  appointment: 'appointment',
  /**
   * 2026-12: after confirmation, with `appointment`. The booking can be moved (the
   * reschedule update and signal) until its start, and reminders follow the policy's
   * `reminderOffsetsHours`, re-armed when it moves. Executions confirmed before it keep
   * their one 24 h reminder and their time.
   */
  reschedule: 'reschedule',
  /**
   * 2026-12: card_hold bookings only (the policy was refused before, so no execution
   * before it holds a card): the authorization placed by a timer 6 days before the latest
   * capture, released when a move puts it beyond that, and settled (captured, fee, or
   * released) at completion, no-show and cancellation.
   */
  cardHold: 'card-hold',
  /**
   * 2026-12: while a payment waits for the customer's 3-D Secure authentication, the
   * intent is also read again every 20 s, not only when Stripe's webhook signals: a lost
   * webhook no longer leaves a paid booking to expire. Executions that began waiting
   * before it wait for the webhook alone.
   */
  paymentRecheck: 'payment-recheck',
  /**
   * 2026-12: waitlist offer chain. An entry deleted while its offer was being made (its
   * withdrawal signal handled before the offer activity's result, in the same or an
   * earlier workflow task) is remembered, and its offer dropped as soon as it is made.
   * Before, the signal was ignored and the time waited for the offer's expiry.
   */
  earlyWithdrawal: 'early-withdrawal',
  /**
   * 2026-12: the booking saga's first step, createReservation (one read of the booking
   * the gateway wrote, one event), runs as a local activity: inside the saga's first
   * workflow task, recorded as a marker, instead of an activity task and a second
   * workflow task (README, Benchmarks). Executions started before it schedule it as an
   * activity task.
   */
  localReservation: 'local-reservation',
  /**
   * 2026-12: waitlist offer chain. A client's accept or decline sent by signal before the
   * chain saw the entry's offer (the entry already read `offered`) is remembered and
   * applied when the offer's result arrives; before, it was ignored. (The accept and
   * decline updates in that window, refused before, are now accepted and wait for the
   * offer: a rejected update left no history, so that needs no patch of its own.)
   */
  earlyDecision: 'early-decision',
  /**
   * 2026-12: the booking saga's one marker. A new execution records it alone, and the
   * changes of lifecycle-v2, local-reservation, card-hold, payment-recheck, appointment
   * and reschedule all apply to it without markers of their own: each was a marker and a
   * TemporalChangeVersion upsert (a visibility write), four per booking, ~21 ms of
   * Temporal's CPU per workflow in a probe (README, Benchmarks). Executions started before
   * it ask for those patches one by one, as before. A later change is a `patched()` of
   * its own; once several pile up, fold them the same way (a new id taken at the top
   * that implies them).
   */
  singleMarker: 'single-marker',
} as const;
