/**
 * 200 bookings at once over 10 slots of one staff member: exactly 10 confirm, the other
 * 190 fail with slot_unavailable, and nothing is charged or held for a loser.
 */
import { trialClients, trialSalon, slotStart } from '../fixtures';
import { outcomeCounts } from '../invariants';
import { submitBooking } from '../load';
import { settleAndCheck, type Trial } from '../trial';

const BOOKINGS = 200;
const SLOTS = 10;
const CLIENTS = 20;

export const slotContention: Trial = {
  name: 'slot-contention',
  title: `${BOOKINGS} concurrent bookings over ${SLOTS} slots`,
  async run(ctx) {
    await ctx.workers.ensure(1);
    const salon = await trialSalon(ctx.operator);
    const clients = await trialClients(ctx.api, CLIENTS);
    const starts = Array.from({ length: SLOTS }, (_, i) => slotStart(i));
    ctx.log(`firing ${BOOKINGS} bookings at once over ${SLOTS} slots`);
    const submissions = await Promise.all(
      Array.from({ length: BOOKINGS }, (_, i) =>
        submitBooking({
          client: clients[i % CLIENTS]!,
          body: { salonId: salon.salonId, serviceId: salon.serviceId, start: starts[i % SLOTS]!, paymentMethod: 'pm_card_visa' },
        }),
      ),
    );
    const { snapshot, checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: [salon.salonId] });
    return {
      stats: { ...stats, slots: SLOTS },
      checks: [
        { name: `exactly ${SLOTS} confirmed, the rest slot_unavailable`, violations: outcomeCounts(snapshot.bookings, { confirmed: SLOTS, failureReason: 'slot_unavailable' }) },
        ...checks,
      ],
    };
  },
};
