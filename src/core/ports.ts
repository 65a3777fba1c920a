/** Port allocation: a pure function from requests and last allocation to ports.
 *  Stability matters more than compactness: a stage keeps its port while it stays in range and
 *  free, so adding or removing another stage never moves ports that running things rely on. */

export interface PortRequest {
  /** Who wants the port (`dev1.qa`). */
  readonly key: string;
  /** A fixed port from the manifest; wins over `range`. */
  readonly explicit?: number;
  /** Inclusive range to allocate from. */
  readonly range?: readonly [number, number];
}

export interface PortAllocation {
  readonly ports: { readonly [key: string]: number };
  readonly errors: readonly { readonly key: string; readonly text: string }[];
}

const MIN_PORT = 1;
const MAX_PORT = 65535;

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT;
}

function rangeText([lo, hi]: readonly [number, number]): string {
  return `${lo}-${hi}`;
}

function inRange(port: number, [lo, hi]: readonly [number, number]): boolean {
  return port >= lo && port <= hi;
}

export function allocatePorts(
  requests: readonly PortRequest[],
  previous: { readonly [key: string]: number },
): PortAllocation {
  const ports: Record<string, number> = {};
  const errors: { key: string; text: string }[] = [];
  const owner = new Map<number, string>();
  const take = (key: string, port: number) => {
    ports[key] = port;
    owner.set(port, key);
  };

  // 1. Explicit ports first: the manifest said so; a clash is an error, the first claimant keeps it.
  for (const r of requests) {
    if (r.explicit === undefined) continue;
    if (!validPort(r.explicit)) {
      errors.push({ key: r.key, text: `port ${r.explicit} is not a valid port (${MIN_PORT}-${MAX_PORT})` });
      continue;
    }
    const holder = owner.get(r.explicit);
    if (holder !== undefined) {
      errors.push({ key: r.key, text: `port ${r.explicit} is already used by ${holder}` });
      continue;
    }
    take(r.key, r.explicit);
  }

  const ranged: { key: string; range: readonly [number, number] }[] = [];
  for (const r of requests) {
    if (r.explicit !== undefined) continue;
    if (!r.range) {
      errors.push({ key: r.key, text: 'needs a port or a port range' });
      continue;
    }
    const [lo, hi] = r.range;
    if (!validPort(lo) || !validPort(hi) || lo > hi) {
      errors.push({ key: r.key, text: `range ${rangeText(r.range)} is not a valid port range` });
      continue;
    }
    ranged.push({ key: r.key, range: r.range });
  }

  // 2. Keep previous ports before handing out new ones, so a newcomer earlier in the list cannot steal one.
  const pending: typeof ranged = [];
  for (const r of ranged) {
    const before = previous[r.key];
    if (before !== undefined && inRange(before, r.range) && !owner.has(before)) take(r.key, before);
    else pending.push(r);
  }

  // 3. The rest take the lowest free port in their range, in request order.
  for (const r of pending) {
    const [lo, hi] = r.range;
    let port: number | undefined;
    for (let p = lo; p <= hi; p++) {
      if (!owner.has(p)) {
        port = p;
        break;
      }
    }
    if (port === undefined) errors.push({ key: r.key, text: `range ${rangeText(r.range)} is exhausted` });
    else take(r.key, port);
  }

  return { ports, errors };
}
