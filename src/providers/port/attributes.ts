/** A port reservation's attributes: the number and the stage it belongs to. */
import type { Attributes } from '../../core/resource.js';

export const PORT_KIND = 'port';

export type PortAttributes = { readonly port: number; readonly env: string; readonly stage: string };

export type PortHolderAttributes = { readonly pid: number; readonly command: string };

/** What observe reports for a recorded reservation. */
export type PortObserved = PortAttributes & {
  readonly listening: boolean;
  /** Who listens on it, when that could be found out. */
  readonly holder: PortHolderAttributes | null;
};

export function readPort(a: Attributes): PortAttributes {
  return {
    port: typeof a.port === 'number' ? a.port : 0,
    env: typeof a.env === 'string' ? a.env : '',
    stage: typeof a.stage === 'string' ? a.stage : '',
  };
}

export function ownerText(p: Pick<PortAttributes, 'env' | 'stage'>): string {
  return [p.env, p.stage].filter(Boolean).join('.');
}
