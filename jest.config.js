/** Tests are TypeScript run as native ESM (execa 9 is ESM-only); ts-jest only strips types,
 *  `npm run typecheck` does the checking.
 *
 *  Test files run in parallel workers: each test has its own tmux socket (`-L gaia-test-<random>`),
 *  temporary folders and ports (0, or a range of its own), and reads the build output without writing
 *  it. Two workers on two cores: most of a test's time is spent waiting on tmux, git and gaia's own
 *  processes. The PATH is the tests' own (test/helpers/global-setup.mjs). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The real agent CLIs have their own run: npm run test:agents (jest.agents.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/agents/'],
  testTimeout: 30000,
  maxWorkers: Number(process.env.GAIA_TEST_WORKERS) || 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.mjs',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.mjs',
};
