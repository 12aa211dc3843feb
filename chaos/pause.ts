/**
 * A pause that shapes the chaos — load pacing, how long an outage lasts, when a kill
 * lands. Never used to wait for a condition: those wait with a deadline (`eventually`).
 */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
