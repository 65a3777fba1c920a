/** `npm run test:agents`: the real agent CLIs (test/agents), kept out of `npm test` because they need
 *  the CLIs installed by scripts/install-agent-clis.sh and take a minute or two. */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/agents/**/*.test.ts'],
  testPathIgnorePatterns: [],
  testTimeout: 90000,
};
