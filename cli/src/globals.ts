import type { Client } from './client';
import type { Output } from './output';

/** What every command reads from the global options (--url, --token, --json). */
export interface Globals {
  client(): Client;
  output(): Output;
}
