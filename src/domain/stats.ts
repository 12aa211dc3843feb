/** The salon stats read model's arithmetic: per-booking facts folded into days. */

export interface BookingFact {
  day?: string | null;
  priceCents?: number | null;
  currency?: string | null;
  confirmedAt?: Date | null;
  cancelledAt?: Date | null;
  refundedCents?: number | null;
}

export interface DayStats {
  confirmed: number;
  cancelled: number;
  revenue: { currency: string; amountCents: number }[];
}

const empty = (): { confirmed: number; cancelled: number; revenue: Map<string, number> } => ({ confirmed: 0, cancelled: 0, revenue: new Map() });

/** Every date from `from` to `to` (YYYY-MM-DD, inclusive). */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * Counts each confirmed booking on its day: still standing, or cancelled later (then
 * only what was kept after the refund counts as revenue). A fact without a
 * confirmation (cancelled before it was confirmed) counts nowhere.
 */
export function foldStats(facts: readonly BookingFact[], from: string, to: string): { days: (DayStats & { date: string })[]; totals: DayStats } {
  const byDay = new Map(datesBetween(from, to).map((d) => [d, empty()]));
  const totals = empty();
  for (const f of facts) {
    const day = f.day ? byDay.get(f.day) : undefined;
    if (!day || !f.confirmedAt || f.priceCents == null || !f.currency) continue;
    const kept = f.cancelledAt ? f.priceCents - (f.refundedCents ?? 0) : f.priceCents;
    for (const acc of [day, totals]) {
      if (f.cancelledAt) acc.cancelled += 1;
      else acc.confirmed += 1;
      acc.revenue.set(f.currency, (acc.revenue.get(f.currency) ?? 0) + kept);
    }
  }
  const view = (s: ReturnType<typeof empty>): DayStats => ({
    confirmed: s.confirmed,
    cancelled: s.cancelled,
    revenue: [...s.revenue].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountCents]) => ({ currency, amountCents })),
  });
  return { days: [...byDay].map(([date, s]) => ({ date, ...view(s) })), totals: view(totals) };
}
