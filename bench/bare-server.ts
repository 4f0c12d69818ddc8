import express from 'express';
import type { AddressInfo } from 'node:net';

/**
 * The baseline: bare Express in its own process answering each path in
 * BARE_ROUTES ({path: body}) with that constant JSON body, so a status read
 * and its baseline serialize the same shape. Prints its port.
 */
const routes = JSON.parse(process.env.BARE_ROUTES ?? '{}') as Record<string, unknown>;
const app = express();
for (const [path, body] of Object.entries(routes)) app.get(path, (_req, res) => res.json(body));
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
server.keepAliveTimeout = 10 * 60 * 1000;
process.on('SIGTERM', () => process.exit(0));
