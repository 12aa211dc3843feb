/** Names the salon webhooks' delivery workflow shares with the process that starts it. */
export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDelivery';
export const WEBHOOK_TASK_QUEUE = 'webhooks';

/** One workflow per delivery and round (a redelivery is a new round of the same delivery). */
export const deliveryWorkflowIdFor = (deliveryId: string, round: number): string => `webhook:${deliveryId}:${round}`;
export const deliveryIdFor = (webhookId: string, eventId: string): string => `${webhookId}:${eventId}`;

export interface DeliveryInput {
  deliveryId: string;
  /** The first retry's wait; later ones double it up to `maximumMs`, for `forMs` in all. */
  retry: { initialMs: number; coefficient: number; maximumMs: number; forMs: number };
}
