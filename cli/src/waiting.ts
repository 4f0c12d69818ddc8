import type { ExportJob, ImportJob } from '@botport/api';
import type { Client } from './client';
import { CliError, EXIT } from './exit-codes';
import { progressBar } from './output';

const POLL_MS = 500;

/** What an export and an import share, as the api's schemas type them. */
type Job = Pick<ExportJob | ImportJob, 'status' | 'progress' | 'failureReasons'>;

/** Polls a job until it leaves InProgress, drawing its progress; a Failed job ends the command with exit 1. */
export async function waitFor<T extends Job>(client: Client, path: string, label: string, timeoutSeconds: number): Promise<T> {
  const draw = progressBar(label);
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const job = await client.json<T>('GET', path);
    if (job.status !== 'InProgress') {
      if (job.status === 'Completed') {
        draw(100, 'done');
        return job;
      }
      throw new CliError(`${label} ${job.status}: ${job.failureReasons.join('; ') || 'no reason given'}`, EXIT.jobFailed);
    }
    draw(job.progress);
    if (Date.now() > deadline) throw new CliError(`${label} is still InProgress after ${timeoutSeconds} s; it goes on in the background`, EXIT.jobFailed);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
