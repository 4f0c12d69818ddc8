import pino, { type Logger } from 'pino';

/** Paths never written in clear: tokens, passwords, keys. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.auth', 'req.headers.cookie', '*.filePassword', '*.password', '*.token', '*.secret'];

export function createLogger(name: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
