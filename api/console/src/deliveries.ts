import { call, explain } from './api.js';
import { byId, el, show, sleep } from './dom.js';
import * as format from './format.js';
import type { Delivery } from './models.js';

const POLL_MS = 2000;
/** Retries back off; past this the list stops asking and says so. */
const FOLLOW_MS = 10 * 60 * 1000;

/** Under a finished export that has a notifyUrl: each delivery attempt, followed until the delivery settles. */
export class DeliveryList {
  private readonly section = byId('job-deliveries');
  private readonly list = byId<HTMLOListElement>('job-delivery-list');

  hide(): void {
    show(this.section, false);
    this.list.replaceChildren();
  }

  async follow(exportId: string, notifyUrl: string, signal: AbortSignal): Promise<void> {
    byId('job-delivery-target').textContent = notifyUrl;
    this.list.replaceChildren(el('li', { class: 'help' }, 'Not attempted yet.'));
    show(this.section);
    const until = Date.now() + FOLLOW_MS;
    while (!signal.aborted) {
      let deliveries: Delivery[];
      try {
        ({ deliveries } = await call<{ deliveries: Delivery[] }>('GET', `/v1/exports/${encodeURIComponent(exportId)}/deliveries`, { signal }));
      } catch (err) {
        if (!signal.aborted) this.list.replaceChildren(el('li', { class: 'error' }, explain(err)));
        return;
      }
      if (deliveries.length) this.list.replaceChildren(...deliveries.map(item));
      const last = deliveries.at(-1);
      if (last && !last.nextRetryAt) return; // delivered, refused, or out of retries
      if (Date.now() > until) return void this.list.append(el('li', { class: 'help' }, 'Still retrying: open the export again later to see how it went.'));
      await sleep(POLL_MS);
    }
  }
}

function item(d: Delivery): HTMLLIElement {
  const what = d.outcome === 'delivered' ? `delivered (${d.statusCode})` : `${d.outcome}: ${d.error ?? 'no reason given'}`;
  const next = d.nextRetryAt ? `; next try ${format.moment(d.nextRetryAt)}` : '';
  return el(
    'li',
    { class: `delivery-${d.outcome}` },
    el('time', { datetime: d.attemptedAt }, format.moment(d.attemptedAt)),
    ` — attempt ${d.attempt} ${what}${next}`,
  );
}
