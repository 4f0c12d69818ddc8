import type { Component } from '@botport/shared';
import { call, newTenant, token, useApiAndWorker, waitForExport } from '../support/harness';
import { download, unzip } from '../support/zip';

const stack = useApiAndWorker();

/** A draft state: every component carries the state's mark, and the states have different component sets. */
function state(mark: 'A' | 'B', n: number) {
  const components: Component[] = [{ kind: 'locale', locale: 'en_US', name: 'en_US', body: { mark } }];
  for (let i = 0; i < n; i++) components.push({ kind: 'action', name: `${mark}${i % 3 === 0 ? 'only' : 'both'}${i}`, body: { mark, i, pad: 'x'.repeat(500) } });
  return { formatVersion: 1, bot: { name: 'Churn', description: mark }, components };
}

test('exporting a DRAFT being rewritten in a tight loop yields one of the states it passed through, never a mixture', async () => {
  const bearer = token(newTenant());
  const botId = (await call(stack.api, 'POST', '/v1/bots', { token: bearer, body: { name: 'Churn' } })).body.botId;
  const states = { A: state('A', 400), B: state('B', 300) };
  await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer, body: states.A });

  let writing = true;
  let writes = 0;
  const writer = (async () => {
    while (writing) {
      const next = writes % 2 ? states.A : states.B;
      expect((await call(stack.api, 'PUT', `/v1/bots/${botId}/versions/DRAFT`, { token: bearer, body: next })).status).toBe(200);
      writes++;
    }
  })();

  try {
    for (let i = 0; i < 6; i++) {
      const created = await call(stack.api, 'POST', '/v1/exports', { token: bearer, body: { botId } });
      expect(created.status).toBe(202);
      const done = await waitForExport(stack.api, bearer, created.body.exportId);
      expect(done.exportStatus).toBe('Completed');
      const files = await unzip((await download(done.downloadUrl)).data);
      const comps = [...files].filter(([n]) => n !== 'manifest.json' && n !== 'bot.json').map(([, d]) => JSON.parse(d.toString()));
      const marks = new Set(comps.map((c) => c.body.mark));
      expect(marks.size).toBe(1);
      const mark = [...marks][0] as 'A' | 'B';
      expect(comps.length).toBe(states[mark].components.length);
    }
  } finally {
    writing = false;
    await writer;
  }
  expect(writes).toBeGreaterThan(6);
});
