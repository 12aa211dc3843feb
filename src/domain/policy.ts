/**
 * A salon's booking policy (LIFECYCLE.md, "Salon booking policy"): every field with its
 * default, so a salon stored before policies existed — or one that names only some
 * fields — reads as a whole policy. A booking keeps the policy in force when it was made.
 */
export const PAYMENT_POLICIES = ['prepay', 'deposit', 'card_hold'] as const;
export type PaymentPolicy = (typeof PAYMENT_POLICIES)[number];

export interface SalonPolicy {
  payment: PaymentPolicy;
  depositPercent: number;
  cancellationWindowHours: number;
  lateCancelFeePercent: number;
  rescheduleWindowHours: number;
  minNoticeMinutes: number;
  maxAdvanceDays: number;
  checkInGraceMinutes: number;
  autoCompleteHours: number;
  reminderOffsetsHours: number[];
  waitlistOfferMinutes: number;
}

export const POLICY_DEFAULTS: Readonly<SalonPolicy> = Object.freeze({
  payment: 'prepay',
  depositPercent: 30,
  cancellationWindowHours: 24,
  lateCancelFeePercent: 0,
  rescheduleWindowHours: 24,
  minNoticeMinutes: 60,
  maxAdvanceDays: 180,
  checkInGraceMinutes: 15,
  autoCompleteHours: 24,
  reminderOffsetsHours: [24],
  waitlistOfferMinutes: 15,
});

/**
 * The whole policy from what is stored: the fields named, the defaults for the rest.
 * `legacyWindowHours` is the top-level `cancellationWindowHours` salons had before
 * policies (it wins over the default, not over a stored policy field).
 */
export function policyOf(stored: Partial<SalonPolicy> | null | undefined, legacyWindowHours?: number | null): SalonPolicy {
  const named = Object.fromEntries(Object.entries(stored ?? {}).filter(([, v]) => v !== undefined && v !== null)) as Partial<SalonPolicy>;
  return {
    ...POLICY_DEFAULTS,
    ...(legacyWindowHours != null ? { cancellationWindowHours: legacyWindowHours } : {}),
    ...named,
    reminderOffsetsHours: [...(named.reminderOffsetsHours ?? POLICY_DEFAULTS.reminderOffsetsHours)],
  };
}

/** Why a start is outside the policy's booking bounds (`minNoticeMinutes`, `maxAdvanceDays`), or undefined. */
export function startOutsideBounds(policy: Pick<SalonPolicy, 'minNoticeMinutes' | 'maxAdvanceDays'>, start: Date, now: Date): string | undefined {
  const ahead = start.getTime() - now.getTime();
  if (ahead < policy.minNoticeMinutes * 60_000) return `must be at least ${policy.minNoticeMinutes} minutes ahead (the salon's notice)`;
  if (ahead > policy.maxAdvanceDays * 86_400_000) return `must be at most ${policy.maxAdvanceDays} days ahead (the salon's limit)`;
  return undefined;
}

/**
 * The policy fields a salon body sets, with the top-level alias `cancellationWindowHours`
 * folded in (the schema refuses the two when they differ).
 */
export function policyFieldsOf(body: { cancellationWindowHours?: number; policy?: Partial<SalonPolicy> }): Partial<SalonPolicy> {
  return {
    ...(body.policy ?? {}),
    ...(body.cancellationWindowHours !== undefined ? { cancellationWindowHours: body.cancellationWindowHours } : {}),
  };
}
