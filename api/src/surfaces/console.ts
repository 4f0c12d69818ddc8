import express, { Router } from 'express';
import path from 'node:path';

/** From api/src (tests) and api/dist (the build) alike. */
const PUBLIC = path.resolve(__dirname, '..', '..', 'console', 'public');
const SCRIPTS = path.resolve(__dirname, '..', '..', 'dist', 'console');

/**
 * `/console`: the web console and the API docs page. Static files only; the
 * page calls the native API with the token the person signs in with.
 * Everything comes from this origin: the policy forbids any other script.
 */
export function consoleRouter(): Router {
  const r = Router();
  r.use((_req, res, next) => {
    res.set({
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    next();
  });
  r.use(express.static(PUBLIC, { index: 'index.html', maxAge: 0 }));
  r.use(express.static(SCRIPTS, { maxAge: 0, index: false }));
  return r;
}
