import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Logger } from '../logging/logger';

/** A row that changed, as infra/migrations/070_change_notifications.sql announces it. */
export interface Change {
  table: string;
  id: string;
  tenantId: string;
  botId: string | null;
}

/** What a listener hears: a change, or `reset` when changes may have been missed (the channel was lost). */
export type ChangeListener = (change: Change | 'reset') => void;

const CHANNEL = 'botport_changes';
const PING = 'ping:';
/** The staleness a cache may show: a change made anywhere is seen within this. */
export const CHANGE_BOUND_MS = 100;
/** How often the feed proves its channel alive. */
const PING_EVERY_MS = 20;
/**
 * How old the last ping heard back may be: what a cache serves is at most
 * this stale, leaving 10 ms of the bound for the answer to travel. Generous
 * on purpose: under load a ping waits behind the requests in the event loop
 * (and PostgreSQL behind everything else on the machine), and a feed that
 * lapses sends the very reads that load it to the database.
 */
const TRUST_MS = CHANGE_BOUND_MS - 10;
const RECONNECT_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * PostgreSQL LISTEN/NOTIFY on one dedicated connection: every api replica
 * hears each change to a job record or credential, whoever made it (another
 * api, a worker, the sweeper).
 *
 * The feed also says whether it can be trusted *now*. It notifies itself a
 * ping every 20 ms on the same channel. PostgreSQL delivers notifications in
 * commit order, so once a ping sent at time t is back, every change committed
 * before t has been heard. A cache may serve a record only while the last
 * ping back was sent under 90 ms ago: whatever it missed is younger than
 * that. A slow or lost channel therefore sends readers to the database
 * within the bound, never to stale data.
 */
export class ChangeFeed {
  private client?: Client;
  private readonly listeners = new Set<ChangeListener>();
  private readonly sent = new Map<string, number>();
  private lastPingSentAt = -Infinity;
  private pings?: NodeJS.Timeout;
  private attempt = 0;
  private closed = false;
  private seq = 0;
  /** Every replica pings on the one channel: only its own pings count for it. */
  private readonly self = randomBytes(6).toString('hex');

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Connects (and keeps reconnecting) in the background: until then nothing is trusted. */
  start(): this {
    void this.connect();
    return this;
  }

  /** May a cache serve what it holds? */
  trusted(now = performance.now()): boolean {
    return now - this.lastPingSentAt < TRUST_MS;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pings);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'botport-change-feed' });
    let gone = false;
    const lost = () => {
      if (!gone) this.lost(client);
      gone = true;
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.heard(n.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      this.logger.warn({ err }, 'change feed: cannot listen; status reads go to the database');
      lost();
      return void client.end().catch(() => undefined);
    }
    if (this.closed) return void client.end().catch(() => undefined);
    this.client = client;
    this.attempt = 0;
    let inFlight = false;
    this.pings = setInterval(() => {
      if (inFlight) return; // one at a time: pg queues a second query on a busy client (and pg 9 will refuse it)
      inFlight = true;
      void this.ping(client).finally(() => (inFlight = false));
    }, PING_EVERY_MS).unref();
  }

  private async ping(client: Client): Promise<void> {
    const nonce = `${PING}${this.self}:${++this.seq}`;
    this.sent.set(nonce, performance.now());
    // A ping unanswered for longer than the bound could never restore trust: forget it.
    if (this.sent.size > CHANGE_BOUND_MS / PING_EVERY_MS) this.sent.delete(this.sent.keys().next().value as string);
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, nonce]).catch(() => undefined);
  }

  private heard(payload: string): void {
    if (payload.startsWith(PING)) {
      const at = this.sent.get(payload);
      this.sent.delete(payload);
      if (at !== undefined && at > this.lastPingSentAt) this.lastPingSentAt = at;
      return;
    }
    let change: Change;
    try {
      const [table, id, tenantId, botId] = JSON.parse(payload) as [string, string, string, string | null];
      change = { table, id, tenantId, botId };
    } catch {
      return; // not ours
    }
    for (const listener of this.listeners) listener(change);
  }

  private lost(client: Client): void {
    if (this.client === client) {
      this.client = undefined;
      clearInterval(this.pings);
    }
    this.lastPingSentAt = -Infinity;
    this.sent.clear();
    for (const listener of this.listeners) listener('reset');
    if (this.closed) return;
    const wait = RECONNECT_MS[Math.min(this.attempt++, RECONNECT_MS.length - 1)];
    this.logger.warn({ retryInMs: wait }, 'change feed: connection lost; status reads go to the database until it is back');
    setTimeout(() => void this.connect(), wait).unref();
  }
}
