import { call } from './api.js';
import type { ExportJob } from './models.js';

/**
 * Download links last five minutes, so each click asks for a fresh one and
 * follows it (the archive is served as an attachment).
 */
export async function downloadExport(exportId: string): Promise<void> {
  const job = await call<ExportJob>('GET', `/v1/exports/${encodeURIComponent(exportId)}`);
  if (!job.downloadUrl) throw new Error('this export has no archive to download');
  const link = document.createElement('a');
  link.href = job.downloadUrl;
  link.rel = 'noopener';
  link.download = '';
  document.body.append(link);
  link.click();
  link.remove();
}
