/** @type {import('jest').Config} */
// The fault suite (`npm run test:faults`): real processes, faults injected, one file at a time.
const base = require('../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  testPathIgnorePatterns: [],
  testTimeout: 240000,
  maxWorkers: 1,
};
