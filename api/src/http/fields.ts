import { ID_PATTERN, LOCALE_PATTERN, VERSION_PATTERN } from '@botport/shared';
import { z } from 'zod';

/** The request fields every surface shares, written once. */

export const botIdSchema = z.string().regex(ID_PATTERN, 'must be a 10-character bot id');
export const botVersionSchema = z.string().regex(VERSION_PATTERN, 'must be DRAFT or a version number');
/** Lex's own locale ids (en_US, es_419); existence is checked against the bot. */
export const localeIdSchema = z.string().min(1).max(20).regex(LOCALE_PATTERN, 'must be a locale id such as en_US');
export const filePasswordSchema = z.string().min(1).max(1024);

/** A 10-character id a surface handed out (`what` names it for the error). */
export const jobIdSchema = (what: string) => z.string().regex(ID_PATTERN, `must be ${what}`);

/** `?limit&nextToken` (and a bot) on the native job listings. */
export const jobPageQuery = z.object({
  botId: botIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

/** ISO-8601 timestamps of the native surface. */
export const isoTime = z.iso.datetime({ offset: true });
/** AWS JSON timestamps: epoch seconds (fractions allowed). */
export const epochSeconds = z.number();
export const epoch = (d: Date) => d.getTime() / 1000;
