import type { DeliveryAttempt } from '@botport/shared';
import { z } from 'zod';
import { isoTime } from '../../http/fields';

/** `GET /v1/{exports,imports}/{id}/deliveries`: a job's notifyUrl attempts, oldest first. */
export const deliveriesView = z.object({
  deliveries: z.array(
    z.object({
      deliveryId: z.string(),
      attempt: z.number().int(),
      attemptedAt: isoTime,
      outcome: z.enum(['delivered', 'failed', 'refused']),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
      nextRetryAt: isoTime.nullable(),
    }),
  ),
});

export const deliveries = (attempts: DeliveryAttempt[]): z.infer<typeof deliveriesView> => ({
  deliveries: attempts.map((a) => ({
    deliveryId: a.deliveryId,
    attempt: a.attempt,
    attemptedAt: a.attemptedAt.toISOString(),
    outcome: a.outcome,
    statusCode: a.statusCode,
    error: a.error,
    nextRetryAt: a.nextRetryAt?.toISOString() ?? null,
  })),
});
