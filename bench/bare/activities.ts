/** The saga benchmark's baseline activities: four that do nothing, as many as the saga's steps. */
export function createNoopActivities() {
  return {
    async noopCreate(): Promise<void> {},
    async noopCheck(): Promise<void> {},
    async noopPay(): Promise<void> {},
    async noopConfirm(): Promise<void> {},
  };
}

export type NoopActivities = ReturnType<typeof createNoopActivities>;
