/** @type {import('jest').Config} */
// The unit tier (`npm run test:unit`): pure code — zip, AES, selection, Lex naming, definition checks, the
// input guard — in seconds, with no PostgreSQL, Redis or S3; `npm test` runs it first.
const base = require('../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  testPathIgnorePatterns: [],
  globalSetup: undefined,
  globalTeardown: undefined,
  setupFilesAfterEnv: [],
  testTimeout: 10000,
};
