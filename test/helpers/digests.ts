/** A fixed digest key for tests that plan or compare without a project folder. */
import { keyedDigests } from '../../src/core/digest.js';

export const testDigests = keyedDigests(Buffer.alloc(32, 7));
