import { datesBetween, foldStats } from '../../src/domain/stats';

const confirmedAt = new Date('2026-11-01T10:00:00Z');

test('every day of the range is listed, the last one included', () => {
  expect(datesBetween('2026-10-30', '2026-11-02')).toEqual(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02']);
});

test('confirmed bookings count on their day; a cancelled one counts as cancelled with what was kept after the refund', () => {
  const { days, totals } = foldStats(
    [
      { day: '2026-11-02', priceCents: 3000, currency: 'EUR', confirmedAt },
      { day: '2026-11-02', priceCents: 2000, currency: 'EUR', confirmedAt, cancelledAt: new Date(), refundedCents: 1500 },
      { day: '2026-11-03', priceCents: 1000, currency: 'USD', confirmedAt },
      // cancelled before it was confirmed: no revenue, not counted
      { day: undefined, cancelledAt: new Date(), refundedCents: 0 },
      // outside the range
      { day: '2026-11-05', priceCents: 9999, currency: 'EUR', confirmedAt },
    ],
    '2026-11-01',
    '2026-11-03',
  );
  expect(days).toEqual([
    { date: '2026-11-01', confirmed: 0, cancelled: 0, revenue: [] },
    { date: '2026-11-02', confirmed: 1, cancelled: 1, revenue: [{ currency: 'EUR', amountCents: 3500 }] },
    { date: '2026-11-03', confirmed: 1, cancelled: 0, revenue: [{ currency: 'USD', amountCents: 1000 }] },
  ]);
  expect(totals).toEqual({
    confirmed: 2,
    cancelled: 1,
    revenue: [
      { currency: 'EUR', amountCents: 3500 },
      { currency: 'USD', amountCents: 1000 },
    ],
  });
});
