/** One symbol per action, Terraform's: every renderer (terminal, markdown, the dashboard page) uses
 *  these. No imports beyond types, so the browser bundle can take it too. */
import type { Action } from '../core/plan.js';

export const SYMBOLS: Readonly<Record<Action, string>> = { create: '+', update: '~', replace: '-/+', delete: '-', adopt: '<=', noop: ' ' };
