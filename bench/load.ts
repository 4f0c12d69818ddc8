import autocannon from 'autocannon';

/**
 * The load generator, in a process of its own (neither server's): `node
 * load.js <url> <connections> <seconds> [headers JSON]` prints
 * {rps, p50ms, p99ms, non2xx, errors} as one JSON line.
 */
async function main() {
  const [url, connections, seconds, headers] = process.argv.slice(2);
  const r = await autocannon({ url, connections: Number(connections), duration: Number(seconds), headers: headers ? JSON.parse(headers) : {} });
  const out = { rps: Math.round(r.requests.average), p50ms: r.latency.p50, p99ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
