import { call, explain } from './api.js';
import { busy, byId, el, show } from './dom.js';
import * as format from './format.js';
import type { Bot } from './models.js';

interface Credential {
  credentialId: string;
  name: string;
  scopes: string[];
  botId?: string;
  status: 'Active' | 'Revoked';
  createdAt: string;
}

interface Issued extends Credential {
  secret: string;
  signIn: { aws: Record<string, string>; kore: Record<string, string>; xenioo: Record<string, string> };
}

/** The admin's panel: create, rotate and revoke API credentials; a secret is shown once, right after it is made. */
export class CredentialPanel {
  private readonly body = byId('credentials').querySelector('tbody')!;
  private readonly secretBox = byId('credential-secret');
  private bots: Bot[] = [];

  constructor(private readonly report: (message: string) => void) {
    byId<HTMLFormElement>('credential-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create(event.submitter as HTMLButtonElement);
    });
  }

  setBots(bots: Bot[]): void {
    this.bots = bots;
    const select = byId<HTMLSelectElement>('credential-bot');
    select.replaceChildren(el('option', { value: '' }, 'every bot'), ...bots.map((b) => el('option', { value: b.botId }, b.name)));
  }

  /** Forgets everything shown (sign-out): above all, a secret. */
  clear(): void {
    this.body.replaceChildren();
    this.hideSecret();
  }

  async load(): Promise<void> {
    try {
      const { credentials } = await call<{ credentials: Credential[] }>('GET', '/v1/credentials?limit=100');
      this.body.replaceChildren(...credentials.map((c) => this.row(c)));
    } catch (err) {
      this.report(explain(err));
    }
  }

  private async create(button: HTMLButtonElement): Promise<void> {
    const form = byId<HTMLFormElement>('credential-form');
    const data = new FormData(form);
    const scopes = String(data.get('scopes') ?? '')
      .split(/\s+/)
      .filter(Boolean);
    const botId = String(data.get('botId') ?? '');
    try {
      const created = await busy(button, () =>
        call<Issued>('POST', '/v1/credentials', { body: { name: String(data.get('name')), ...(scopes.length && { scopes }), ...(botId && { botId }) } }),
      );
      form.reset();
      this.showSecret(created);
      await this.load();
    } catch (err) {
      this.report(explain(err));
    }
  }

  private showSecret(c: Issued): void {
    const xenioo = Object.entries(c.signIn.xenioo)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ');
    byId('credential-secret-text').textContent = [
      `${c.name} (${c.credentialId})`,
      `AWS:    AWS_ACCESS_KEY_ID=${c.signIn.aws.accessKeyId}  AWS_SECRET_ACCESS_KEY=${c.signIn.aws.secretAccessKey}`,
      `Kore:   clientId (appId)=${c.signIn.kore.clientId}  clientSecret=${c.signIn.kore.clientSecret}`,
      `Xenioo: ${xenioo}`,
    ].join('\n');
    show(this.secretBox);
  }

  private hideSecret(): void {
    byId('credential-secret-text').textContent = '';
    show(this.secretBox, false);
  }

  private row(c: Credential): HTMLTableRowElement {
    const bot = c.botId ? (this.bots.find((b) => b.botId === c.botId)?.name ?? c.botId) : undefined;
    const actions = el('td', { class: 'actions' });
    if (c.status === 'Active') {
      const rotate = el('button', { type: 'button', class: 'secondary', 'aria-label': `Rotate ${c.name}` }, 'Rotate');
      rotate.addEventListener('click', () => void this.act(rotate, c, 'rotate'));
      const revoke = el('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${c.name}` }, 'Revoke');
      revoke.addEventListener('click', () => void this.act(revoke, c, 'revoke'));
      actions.append(rotate, ' ', revoke);
    }
    return el(
      'tr',
      { 'data-credential-id': c.credentialId },
      el('th', { scope: 'row', 'data-label': 'Name' }, c.name),
      el('td', { 'data-label': 'Id' }, el('code', {}, c.credentialId)),
      el('td', { 'data-label': 'Scopes' }, `${c.scopes.join(' ')}${bot ? ` — bot ${bot}` : ''}`),
      el('td', { 'data-label': 'Status' }, `${c.status}, since ${format.when(c.createdAt)}`),
      actions,
    );
  }

  private async act(button: HTMLButtonElement, c: Credential, action: 'rotate' | 'revoke'): Promise<void> {
    const question =
      action === 'rotate'
        ? `Give ${c.name} a new secret? The current one stops working within a second.`
        : `Revoke ${c.name}? Every client using it is refused within a second.`;
    if (!confirm(question)) return;
    try {
      if (action === 'rotate') this.showSecret(await busy(button, () => call<Issued>('POST', `/v1/credentials/${encodeURIComponent(c.credentialId)}/rotate`)));
      else await busy(button, () => call('DELETE', `/v1/credentials/${encodeURIComponent(c.credentialId)}`));
      await this.load();
    } catch (err) {
      this.report(explain(err));
    }
  }
}
