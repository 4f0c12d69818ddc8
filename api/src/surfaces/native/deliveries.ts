import type { DeliveryAttempt } from '@botport/shared';

/** `GET /v1/{exports,imports}/{id}/deliveries`: a job's notifyUrl attempts, oldest first. */
export function deliveriesView(attempts: DeliveryAttempt[]) {
  return {
    deliveries: attempts.map((a) => ({
      deliveryId: a.deliveryId,
      attempt: a.attempt,
      attemptedAt: a.attemptedAt.toISOString(),
      outcome: a.outcome,
      statusCode: a.statusCode,
      error: a.error,
      nextRetryAt: a.nextRetryAt?.toISOString() ?? null,
    })),
  };
}
