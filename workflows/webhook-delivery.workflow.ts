import { proxyActivities, sleep } from '@temporalio/workflow';
import type { createWebhookActivities } from '../activities/webhook.activities';
import type { WebhookDeliveryInput } from '../src/domain/webhooks/webhook-inputs';

/**
 * One webhook delivery: attempt, and while the receiver fails, sleep the backoff the activity chose (exponential
 * with jitter, inside the retry window) and attempt again. The HTTP outcome is the activity's result, never its
 * failure; a failing activity (database down, worker killed mid-POST) is retried by Temporal without a cap, and
 * the retry sends the same body under the same webhook-id: delivery is at least once.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<string> {
  const { attemptWebhookDelivery } = proxyActivities<ReturnType<typeof createWebhookActivities>>({
    // The POST is bounded by timeoutMs; the rest (two short transactions) gets 15 s more.
    startToCloseTimeout: input.timeoutMs + 15_000,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  for (;;) {
    const outcome = await attemptWebhookDelivery(input.deliveryId);
    if (outcome.done) return outcome.state;
    await sleep(outcome.retryInMs);
  }
}
