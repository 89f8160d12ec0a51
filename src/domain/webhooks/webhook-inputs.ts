/** The delivery workflow's input: ids only (histories and NOTIFYs never carry payloads or secrets). */
export interface WebhookDeliveryInput {
  deliveryId: string;
  /** One attempt's HTTP timeout; the activity's own timeout is a little longer. */
  timeoutMs: number;
}
