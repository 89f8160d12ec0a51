import type { AttemptOutcome, WebhookAttemptService } from '../src/services/webhooks/webhook-attempt.service';

/** The delivery workflow's one activity: compare-and-set in the service, so a retried attempt is harmless. */
export function createWebhookActivities({ webhookAttempts }: { webhookAttempts: WebhookAttemptService }) {
  return {
    attemptWebhookDelivery(deliveryId: string): Promise<AttemptOutcome> {
      return webhookAttempts.attempt(deliveryId);
    },
  };
}
