import http from 'node:http';

/**
 * Server-sent event subscribers, in a process of their own (forked with an
 * IPC channel): `{url, bearer, paths, each}` opens `each` streams per path,
 * answers `ready` once every stream has its first event, records when each
 * progress event arrives (epoch ms, sub-millisecond), and sends them all back
 * on `report`.
 */
interface Start {
  url: string;
  bearer: string;
  paths: string[];
  each: number;
}

const received: { path: string; progress: number; at: number }[] = [];
const now = () => performance.timeOrigin + performance.now();

function subscribe(url: string, bearer: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode}`));
      let buffer = '';
      let first = true;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (!event.startsWith('event: progress') || !data) continue;
          received.push({ path, progress: (JSON.parse(data) as { progress: number }).progress, at: now() });
          if (first) {
            first = false;
            resolve();
          }
        }
      });
    });
    req.on('error', reject);
  });
}

process.on('message', (msg: { start?: Start; report?: true }) => {
  if (msg.start) {
    const { url, bearer, paths, each } = msg.start;
    void Promise.all(paths.flatMap((p) => Array.from({ length: each }, () => subscribe(url, bearer, p)))).then(
      () => process.send!({ ready: true }),
      (err: Error) => process.send!({ error: err.message }),
    );
  }
  if (msg.report) process.send!({ received }, () => process.exit(0));
});
