import { call, explain, serverEvents } from './api.js';
import { DeliveryList } from './deliveries.js';
import { busy, byId, show, sleep } from './dom.js';
import { downloadExport } from './downloads.js';
import type { ExportJob } from './models.js';

const POLL_MS = 1000;

/** The export panel: live progress from server-sent events, polling when the stream breaks. */
export class ExportProgress {
  private readonly section = byId('job');
  private readonly status = byId('job-status');
  private readonly bar = byId<HTMLProgressElement>('job-progress');
  private readonly detail = byId('job-detail');
  private readonly download = byId<HTMLButtonElement>('job-download');
  private readonly deliveries = new DeliveryList();
  private watching?: AbortController;
  private exportId = '';

  constructor(private readonly onFinished: () => void) {
    this.download.addEventListener('click', () => busy(this.download, () => downloadExport(this.exportId)).catch((err) => this.say(explain(err), true)));
  }

  /** Forgets the export shown (sign-out): nothing of one tenant stays for the next. */
  clear(): void {
    this.watching?.abort();
    this.exportId = '';
    show(this.section, false);
    this.detail.textContent = '';
    this.deliveries.hide();
    this.say('');
  }

  async track(job: ExportJob): Promise<void> {
    this.watching?.abort();
    const watching = (this.watching = new AbortController());
    this.exportId = job.exportId;
    byId('job-title').textContent = `Export of ${job.botName}`;
    show(this.section);
    show(this.download, false);
    this.deliveries.hide();
    this.detail.textContent = '';
    this.progress(job.progress);
    this.section.scrollIntoView({ block: 'nearest' });
    const final = (await this.follow(job.exportId, watching.signal).catch(() => undefined)) ?? (await this.poll(job.exportId, watching.signal));
    if (!final || watching.signal.aborted) return;
    this.finish(final);
    this.onFinished();
    // A failed event carries only the reasons: the notifyUrl comes from the job as it started.
    const notifyUrl = final.notifyUrl ?? job.notifyUrl;
    if (notifyUrl) await this.deliveries.follow(job.exportId, notifyUrl, watching.signal);
  }

  /** Follows the event stream; undefined when it ends without a verdict. */
  private async follow(exportId: string, signal: AbortSignal): Promise<ExportJob | undefined> {
    for await (const { event, data } of serverEvents(`/v1/exports/${encodeURIComponent(exportId)}/events`, signal)) {
      if (event === 'progress') this.progress((data as { progress: number }).progress);
      if (event === 'completed') return data as ExportJob;
      if (event === 'failed') return { ...(data as ExportJob), status: 'Failed' };
    }
    return undefined;
  }

  private async poll(exportId: string, signal: AbortSignal): Promise<ExportJob | undefined> {
    while (!signal.aborted) {
      try {
        const job = await call<ExportJob>('GET', `/v1/exports/${encodeURIComponent(exportId)}`, { signal });
        if (job.status !== 'InProgress') return job;
        this.progress(job.progress);
      } catch (err) {
        if (signal.aborted) return undefined;
        this.detail.textContent = `${explain(err)} Still trying…`;
      }
      await sleep(POLL_MS);
    }
    return undefined;
  }

  private progress(percent: number): void {
    this.bar.value = percent;
    this.say(`Exporting… ${percent}%`);
  }

  private finish(job: ExportJob): void {
    if (job.status === 'Completed') {
      this.bar.value = 100;
      this.say('Export ready: 100%. The download link is made fresh on each click.');
      this.detail.textContent = (job.notes ?? []).join(' ');
      show(this.download);
      this.download.focus();
    } else {
      this.say(`The export failed: ${(job.failureReasons ?? []).join('; ') || 'no reason was given'}.`, true);
    }
  }

  private say(text: string, bad = false): void {
    this.status.textContent = text;
    this.status.className = bad ? 'error' : '';
  }
}
