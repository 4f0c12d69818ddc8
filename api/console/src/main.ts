import { call, explain, session, whenUnauthorized } from './api.js';
import { BotList } from './bots.js';
import { CredentialPanel } from './credentials.js';
import { byId, show } from './dom.js';
import { ExportDialog } from './export-dialog.js';
import { ExportProgress } from './export-progress.js';
import { ExportHistory } from './history.js';
import { ImportPanel } from './import-panel.js';
import { BackupPolicies } from './backup-policies.js';
import { BotPage } from './bot-page.js';
import { ImportHistory } from './import-history.js';
import { may } from './scopes.js';

/** The console page: sign-in, then bots, export progress, history and import. */
const notice = byId('notice');
function report(message: string): void {
  notice.textContent = message;
  show(notice, !!message);
}

/** The token's claims, read (not verified: the api does that) for the header. */
function claimsOf(token: string): { tenant?: string; exp?: number; scope?: string } {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

const history = new ExportHistory(report, (job) => void progress.track(job));
const progress = new ExportProgress(() => void history.load());
const dialog = new ExportDialog((job) => {
  void history.load();
  void progress.track(job);
});
const imports = new ImportPanel(() => {
  void bots.load();
  void importHistory.load();
});
const importHistory = new ImportHistory(report, () => void bots.load());
const backups = new BackupPolicies(report);
const botPage = new BotPage(report);
const credentials = new CredentialPanel(report);
const bots = new BotList(
  (bot) => dialog.open(bot).catch((err) => report(explain(err))),
  report,
  (list) => {
    imports.setBots(list);
    backups.setBots(list);
    credentials.setBots(list);
  },
  (bot) => void botPage.open(bot),
);

function signedOut(message = ''): void {
  session.clear();
  // The next person to sign in may be another tenant: nothing of this one stays on the page.
  for (const panel of [progress, imports, history, bots, importHistory, backups, botPage, credentials]) panel.clear();
  dialog.close();
  show(byId('workspace'), false);
  show(byId('who'), false);
  show(byId('sign-out'), false);
  show(byId('queues'), false);
  show(byId('credentials-section'), false);
  show(byId('sign-in'));
  report(message);
  byId('token').focus();
}

async function signedIn(): Promise<void> {
  report('');
  show(byId('sign-in'), false);
  show(byId('workspace'));
  const claims = claimsOf(session.token()!);
  const who = byId('who');
  who.textContent = `tenant ${claims.tenant}${claims.exp ? `, until ${new Date(claims.exp * 1000).toLocaleString()}` : ''}`;
  show(who);
  show(byId('sign-out'));
  // The dashboard shows every tenant's jobs: the operator's alone.
  show(byId('queues'), (claims.scope ?? '').split(' ').includes('operator'));
  // Sections only for the scopes the token has; credentials are the tenant admin's to manage.
  show(byId('backups'), may('backup'));
  show(byId('imports-history'), may('imports:read'));
  show(byId('import'), may('imports:write'));
  const admin = (claims.scope ?? '').split(' ').includes('admin');
  show(byId('credentials-section'), admin);
  await Promise.all([
    bots.load(),
    may('exports:read') ? history.load() : undefined,
    may('imports:read') ? importHistory.load() : undefined,
    may('backup') ? backups.load() : undefined,
    admin ? credentials.load() : undefined,
  ]);
}

whenUnauthorized(() => signedOut('Your token was not accepted: it may have expired or been mistyped. Sign in again.'));
byId('sign-out').addEventListener('click', () => signedOut());
// bull-board is a page of its own: the api gives it a short-lived HttpOnly cookie for /admin/board, then we go there.
byId('queues').addEventListener('click', () =>
  call('POST', '/admin/session')
    .then(() => location.assign('/admin/board/'))
    .catch((err) => report(explain(err))),
);
byId<HTMLFormElement>('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = byId<HTMLTextAreaElement>('token').value.trim();
  session.set(token);
  try {
    await call('GET', '/v1/bots?limit=1'); // the api says whether the token works
    byId<HTMLTextAreaElement>('token').value = '';
    await signedIn();
  } catch (err) {
    signedOut(explain(err));
  }
});

if (session.token()) void signedIn();
else signedOut();
