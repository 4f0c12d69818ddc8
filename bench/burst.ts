import { JobQueues } from '@botport/shared';
import { percentile, poll, sleep, startBenchApi, withWorker } from './harness';
import { createSyntheticBot } from './synthetic-bot';

/**
 * Burst: 1,000 CreateExport of small bots at once, one worker process: the
 * time until every one is Completed and the queue wait (enqueued → started)
 * p50/p99, against the same small export run alone, measured in the same run.
 */
export interface BurstResult {
  exports: number;
  singleSeconds: number;
  burstSeconds: number;
  exportsPerSecond: number;
  /** Burst time ÷ (exports × the single export's time): below 1, the worker overlaps them. */
  ratioToSequential: number;
  queueWaitP50s: number;
  queueWaitP99s: number;
}

export async function burst(count: number): Promise<BurstResult> {
  const api = await startBenchApi({ EXPORT_MAX_UNFINISHED_PER_TENANT: count + 10, EXPORT_CREATE_PER_MINUTE: count * 10 });
  const queues = new JobQueues(api.ctx.config);
  try {
    process.stderr.write(`[bench] burst: making ${count + 1} small bots…\n`);
    const bots: string[] = [];
    for (let i = 0; i <= count; i++) bots.push(await createSyntheticBot(api.ctx.db, api.tenant, `Burst_${i}`, 20, 500));
    const auth = { authorization: `Bearer ${api.bearer}`, 'content-type': 'application/json' };
    const create = async (botId: string) => {
      const res = await fetch(`${api.url}/v1/exports`, { method: 'POST', headers: auth, body: JSON.stringify({ botId }) });
      if (res.status !== 202) throw new Error(`create: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { exportId: string }).exportId;
    };

    const single = await withWorker(async () => poll(`${api.url}/exports/${await create(bots[0])}/`, api.bearer, 'exportStatus'));
    process.stderr.write(`[bench] burst: ${count} exports at once…\n`);
    const run = await withWorker(async () => {
      const ids = await Promise.all(bots.slice(1).map(create));
      for (;;) {
        const { rows } = await api.ctx.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM export_jobs WHERE export_id = ANY($1) AND status = 'Completed'`,
          [ids],
        );
        if (rows[0].n === ids.length) return ids;
        await sleep(100);
      }
    });
    const jobs = await Promise.all(run.result.map((id) => queues.exports.getJob(id)));
    const waits = jobs.map((j) => ((j?.processedOn ?? 0) - (j?.timestamp ?? 0)) / 1000).sort((a, b) => a - b);
    return {
      exports: count,
      singleSeconds: +single.seconds.toFixed(3),
      burstSeconds: +run.seconds.toFixed(2),
      exportsPerSecond: +(count / run.seconds).toFixed(1),
      ratioToSequential: +(run.seconds / (count * single.seconds)).toFixed(2),
      queueWaitP50s: +percentile(waits, 50).toFixed(2),
      queueWaitP99s: +percentile(waits, 99).toFixed(2),
    };
  } finally {
    await queues.close();
    await api.close();
  }
}
