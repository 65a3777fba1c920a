/** Who holds the state's lock, as the messages about it name them. */
import type { LockHolder } from '../state/store.js';

export const holderText = (h: LockHolder): string => `${h.command} (pid ${h.pid} on ${h.host}, since ${h.since})`;
