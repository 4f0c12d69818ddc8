import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 10-character `[0-9A-Za-z]` id, as Amazon Lex V2 shapes bot, export and import ids. */
export function newId(): string {
  let id = '';
  for (let i = 0; i < 10; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** Bot, export and import ids (as the tables' CHECK constraints say). */
export const ID_PATTERN = /^[0-9A-Za-z]{10}$/;

/** A bot version: the mutable DRAFT or a published number. */
export const VERSION_PATTERN = /^(DRAFT|[1-9][0-9]*)$/;
