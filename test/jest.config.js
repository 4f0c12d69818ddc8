/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The fault suite runs on its own (npm run test:faults), the unit tier first (npm run test:unit).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/unit/'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  // Tests run the sources, not the build.
  moduleNameMapper: { '^@botport/(shared|api|worker)$': '<rootDir>/$1/src' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/own-database.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
