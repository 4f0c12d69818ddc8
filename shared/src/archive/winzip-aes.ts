import { createCipheriv, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ValidationError } from '../errors';

/**
 * WinZip AES encryption (AE-2, AES-256), the zip encryption 7-Zip, WinZip
 * and Amazon Lex read: per entry a random salt, PBKDF2-HMAC-SHA1 (1,000
 * rounds) to an AES key, an HMAC key and a 2-byte password check; AES in
 * counter mode with a little-endian counter starting at 1; the first 10
 * bytes of HMAC-SHA1 over the ciphertext as the authentication code. AE-2
 * writes no CRC: the code protects the data. Built on Node's native crypto.
 */
export const AES_METHOD = 99;
export const AES_VERSION_NEEDED = 51;
const SALT_BYTES = 16;
const CHECK_BYTES = 2;
const AUTH_BYTES = 10;
const KEY_BYTES = 32;
const ROUNDS = 1000;
const STRENGTH_256 = 3;
const AE_2 = 2;

const derive = promisify(pbkdf2);

/** What one entry's key derivation costs: the benchmark measures its PBKDF2 floor with these. */
export const AES_PBKDF2 = { rounds: ROUNDS, saltBytes: SALT_BYTES, keyBytes: 2 * KEY_BYTES + CHECK_BYTES, digest: 'sha1' } as const;

async function keys(password: string, salt: Buffer): Promise<{ aes: Buffer; mac: Buffer; check: Buffer }> {
  const dk = await derive(password, salt, AES_PBKDF2.rounds, AES_PBKDF2.keyBytes, AES_PBKDF2.digest);
  return { aes: dk.subarray(0, KEY_BYTES), mac: dk.subarray(KEY_BYTES, 2 * KEY_BYTES), check: dk.subarray(2 * KEY_BYTES) };
}

/**
 * XORs `data` with AES-256 of the little-endian block counter `first`,
 * `first + 1`… (Node's CTR counts big-endian); the counter starts at 1.
 * The XOR runs a 32-bit word at a time, on a word-aligned copy.
 */
function counterMode(key: Buffer, data: Buffer, first = 1): Buffer {
  const blocks = Math.ceil(data.length / 16);
  const counters = new DataView(new ArrayBuffer(blocks * 16));
  for (let i = 0; i < blocks; i++) {
    const n = i + first;
    counters.setUint32(i * 16, n >>> 0, true);
    counters.setUint32(i * 16 + 4, Math.floor(n / 2 ** 32), true);
  }
  // ECB without padding: final() would add nothing.
  const stream = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(new Uint8Array(counters.buffer));
  const words = blocks * 4;
  const keystream = stream.byteOffset % 4 === 0 ? new Uint32Array(stream.buffer, stream.byteOffset, words) : new Uint32Array(Uint8Array.from(stream).buffer);
  const out = Buffer.from(new ArrayBuffer(blocks * 16));
  data.copy(out);
  const text = new Uint32Array(out.buffer, 0, words);
  for (let i = 0; i < words; i++) text[i] ^= keystream[i];
  return out.subarray(0, data.length);
}

/**
 * The entry's stored bytes: salt, password check, ciphertext, authentication
 * code. Its keys are derived while `data` is still being made (deflated):
 * they do not depend on it.
 */
export async function encryptEntry(password: string, data: Buffer | Promise<Buffer>): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const [k, plain] = await Promise.all([keys(password, salt), data]);
  const cipher = counterMode(k.aes, plain);
  const auth = createHmac('sha1', k.mac).update(cipher).digest().subarray(0, AUTH_BYTES);
  return Buffer.concat([salt, k.check, cipher, auth]);
}

/**
 * The same as encryptEntry for bytes that arrive as a stream: salt and
 * password check first, the ciphertext as it is made (whole 16-byte blocks,
 * so the counter runs on), the authentication code last.
 */
export async function* encryptStream(password: string, source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const k = await keys(password, salt);
  const mac = createHmac('sha1', k.mac);
  yield Buffer.concat([salt, k.check]);
  let block = 1;
  let carry: Buffer = Buffer.alloc(0);
  const encrypt = (data: Buffer) => {
    const cipher = counterMode(k.aes, data, block);
    block += data.length / 16;
    mac.update(cipher);
    return cipher;
  };
  for await (const chunk of source) {
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const whole = data.length - (data.length % 16);
    carry = data.subarray(whole);
    if (whole) yield encrypt(data.subarray(0, whole));
  }
  if (carry.length) yield encrypt(carry);
  yield mac.digest().subarray(0, AUTH_BYTES);
}

/** Decrypts an entry's stored bytes, refusing a wrong password or altered data by name. */
export async function decryptEntry(password: string, stored: Buffer, name: string): Promise<Buffer> {
  if (stored.length < SALT_BYTES + CHECK_BYTES + AUTH_BYTES) throw new ValidationError(`entry '${name}' is too short to be AES-encrypted`);
  const salt = stored.subarray(0, SALT_BYTES);
  const k = await keys(password, salt);
  const check = stored.subarray(SALT_BYTES, SALT_BYTES + CHECK_BYTES);
  if (!timingSafeEqual(check, k.check)) throw new ValidationError(`the password does not open entry '${name}'; check filePassword`);
  const cipher = stored.subarray(SALT_BYTES + CHECK_BYTES, stored.length - AUTH_BYTES);
  const auth = createHmac('sha1', k.mac).update(cipher).digest().subarray(0, AUTH_BYTES);
  if (!timingSafeEqual(auth, stored.subarray(stored.length - AUTH_BYTES))) {
    throw new ValidationError(`entry '${name}' fails its AES authentication check; the archive was altered or damaged`);
  }
  return counterMode(k.aes, cipher);
}

/** The 0x9901 extra field: AE-2, AES-256, and the compression method underneath. */
export function aesExtraField(method: number): Buffer {
  const f = Buffer.alloc(11);
  f.writeUInt16LE(0x9901, 0);
  f.writeUInt16LE(7, 2);
  f.writeUInt16LE(AE_2, 4);
  f.write('AE', 6, 'ascii');
  f.writeUInt8(STRENGTH_256, 8);
  f.writeUInt16LE(method, 9);
  return f;
}

/** Reads a 0x9901 extra field: AE-1 or AE-2, whether it is AES-256, and the compression method underneath. */
export function readAesExtraField(extra: { id: number; data: Buffer }[]): { vendorVersion: number; method: number; strength: number } | undefined {
  const f = extra.find((e) => e.id === 0x9901);
  if (!f || f.data.length < 7) return undefined;
  return { vendorVersion: f.data.readUInt16LE(0), strength: f.data.readUInt8(4), method: f.data.readUInt16LE(5) };
}
