import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { loadConfig, UnauthorizedError, verifyToken } from '@botport/shared';

const secret = 'unit-test-secret-0123456789';
const hs = { JWT_SECRET: secret, JWT_ALGORITHMS: ['HS256'] };
const exp = () => Math.floor(Date.now() / 1000) + 600;

describe('token verification', () => {
  test('a well-formed token yields tenant, subject, scopes and bot', () => {
    const t = jwt.sign({ sub: 'ann', tenant: 'acme', scope: 'bots:read backup', bot: 'ABCDEFGHIJ', exp: exp() }, secret);
    const p = verifyToken(t, hs);
    expect(p).toMatchObject({ subject: 'ann', tenantId: 'acme', botId: 'ABCDEFGHIJ' });
    expect([...p.scopes]).toEqual(['bots:read', 'backup']);
  });

  test.each([
    ['alg none', () => jwt.sign({ tenant: 'a', exp: exp() }, '', { algorithm: 'none' })],
    ['no exp', () => jwt.sign({ tenant: 'a' }, secret)],
    ['expired', () => jwt.sign({ tenant: 'a', exp: Math.floor(Date.now() / 1000) - 3600 }, secret)],
    ['no tenant', () => jwt.sign({ sub: 'x', exp: exp() }, secret)],
    ['wrong secret', () => jwt.sign({ tenant: 'a', exp: exp() }, 'another-secret-0123456789')],
    ['tampered', () => jwt.sign({ tenant: 'a', exp: exp() }, secret).replace(/\.([^.]+)\./, (_m, p: string) => `.${p.slice(0, -2)}AA.`)],
    ['unpinned algorithm', () => jwt.sign({ tenant: 'a', exp: exp() }, secret, { algorithm: 'HS512' })],
    ['not a jwt', () => 'hello'],
  ])('refuses %s', (_name, make) => {
    expect(() => verifyToken(make(), hs)).toThrow(UnauthorizedError);
  });

  test('key rotation: tokens of the previous secret are accepted while it is configured, never after', () => {
    const next = 'the-next-secret-0123456789';
    const old = jwt.sign({ tenant: 'a', exp: exp() }, secret);
    const fresh = jwt.sign({ tenant: 'b', exp: exp() }, next);
    const rotating = { JWT_SECRET: next, JWT_PREVIOUS_SECRET: secret, JWT_ALGORITHMS: ['HS256'] };
    expect(verifyToken(old, rotating).tenantId).toBe('a');
    expect(verifyToken(fresh, rotating).tenantId).toBe('b');
    expect(() => verifyToken(old, { JWT_SECRET: next, JWT_ALGORITHMS: ['HS256'] })).toThrow('the token is invalid');
    const expiredOld = jwt.sign({ tenant: 'a', exp: Math.floor(Date.now() / 1000) - 3600 }, secret);
    expect(() => verifyToken(expiredOld, rotating)).toThrow('the token has expired');
  });

  test('issuer and audience are checked when configured', () => {
    const settings = { ...hs, JWT_ISSUER: 'https://idp', JWT_AUDIENCE: 'botport' };
    const good = jwt.sign({ tenant: 'a', exp: exp(), iss: 'https://idp', aud: 'botport' }, secret);
    expect(verifyToken(good, settings).tenantId).toBe('a');
    const wrong = jwt.sign({ tenant: 'a', exp: exp(), iss: 'https://evil', aud: 'botport' }, secret);
    expect(() => verifyToken(wrong, settings)).toThrow(UnauthorizedError);
    const otherAudience = jwt.sign({ tenant: 'a', exp: exp(), iss: 'https://idp', aud: 'someone-else' }, secret);
    expect(() => verifyToken(otherAudience, settings)).toThrow(UnauthorizedError);
  });

  test('HS/RS confusion: an HS256 token signed with the public key is refused when only RS256 is pinned', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rs = { JWT_PUBLIC_KEY: pem, JWT_ALGORITHMS: ['RS256'] };
    const real = jwt.sign({ tenant: 'a', exp: exp() }, privateKey, { algorithm: 'RS256' });
    expect(verifyToken(real, rs).tenantId).toBe('a');
    const forged = jwt.sign({ tenant: 'a', exp: exp() }, Buffer.from(pem), { algorithm: 'HS256' });
    expect(() => verifyToken(forged, rs)).toThrow(UnauthorizedError);
    // Even with both families pinned the HS token is checked with the secret, never the public key.
    expect(() => verifyToken(forged, { ...rs, JWT_SECRET: secret, JWT_ALGORITHMS: ['RS256', 'HS256'] })).toThrow(UnauthorizedError);
  });
});

describe('configuration', () => {
  test('a bad or missing value names the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', JWT_SECRET: secret })).toThrow(/PORT/);
    expect(() => loadConfig({ JWT_ALGORITHMS: 'HS256' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ JWT_ALGORITHMS: 'RS256' })).toThrow(/JWT_PUBLIC_KEY/);
    expect(() => loadConfig({ JWT_SECRET: secret, DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });

  test('the development secret is refused in production', () => {
    const { DEV_JWT_SECRET } = jest.requireActual('@botport/shared');
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/development secret/);
    expect(loadConfig({ NODE_ENV: 'development', JWT_SECRET: DEV_JWT_SECRET }).PORT).toBe(7070);
  });
});
