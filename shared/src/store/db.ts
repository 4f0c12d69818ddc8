import { Pool, type PoolClient } from 'pg';
import { UnavailableError } from '../errors';

export type Db = Pool;

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  // An idle client losing its server (Postgres restarted) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003']);

/** Is this a lost or refused database connection (as opposed to a bad query)? */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (e?.code !== undefined && CONNECTION_CODES.has(e.code)) || /Connection terminated|timeout exceeded when trying to connect/.test(e?.message ?? '');
}

/** Runs `work` in one transaction; rolls back on any error. */
export async function inTransaction<T>(
  db: Pool,
  work: (client: PoolClient) => Promise<T>,
  isolation: 'READ COMMITTED' | 'REPEATABLE READ' = 'READ COMMITTED',
): Promise<T> {
  let client: PoolClient;
  try {
    client = await db.connect();
  } catch (err) {
    throw isConnectionError(err) ? new UnavailableError('the database is unreachable; try again shortly') : err;
  }
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** PostgreSQL's error code for a unique constraint that refused a row. */
export const UNIQUE_VIOLATION = '23505';
/** …and for a row whose referenced row is gone. */
export const FOREIGN_KEY_VIOLATION = '23503';
