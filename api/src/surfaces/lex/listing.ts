import type { JobListQuery } from '@botport/shared';
import { z } from 'zod';
import { botIdSchema, botVersionSchema, localeIdSchema } from '../../http/fields';

/** ListExports' and ListImports' request body; they differ only in the filter's name. */
export function listBody(filterName: 'ExportResourceType' | 'ImportResourceType') {
  return z
    .object({
      botId: botIdSchema.optional(),
      botVersion: botVersionSchema.optional(),
      localeId: localeIdSchema.optional(),
      sortBy: z
        .object({ attribute: z.literal('LastUpdatedDateTime'), order: z.enum(['Ascending', 'Descending']) })
        .strict()
        .optional(),
      filters: z
        .array(z.object({ name: z.literal(filterName), values: z.array(z.string().min(1)).length(1), operator: z.enum(['CO', 'EQ']) }).strict())
        .max(1)
        .optional(),
      maxResults: z.number().int().min(1).max(1000).optional(),
      nextToken: z.string().max(2048).optional(),
    })
    .strict();
}

export type ListBody = z.infer<ReturnType<typeof listBody>>;

/**
 * The core's query for a list body, or undefined when the resource-type
 * filter matches nothing (`EQ` is exact, `CO` is "contains", as AWS has it).
 */
export function listQuery(body: ListBody): JobListQuery | undefined {
  const filter = body.filters?.[0];
  const resourceTypes = filter
    ? (['Bot', 'BotLocale'] as const).filter((t) => (filter.operator === 'EQ' ? t === filter.values[0] : t.includes(filter.values[0])))
    : undefined;
  if (resourceTypes && !resourceTypes.length) return undefined;
  return {
    botId: body.botId,
    botVersion: body.botVersion,
    localeId: body.localeId,
    resourceTypes: resourceTypes ? [...resourceTypes] : undefined,
    order: body.sortBy?.order ?? 'Descending',
    limit: body.maxResults ?? 50,
    nextToken: body.nextToken,
  };
}
