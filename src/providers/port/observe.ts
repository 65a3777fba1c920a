/** Observe port reservations: they live in gaia's state; /proc only says whether something listens. */
import type { PlanWarning } from '../../core/plan.js';
import type { Attributes, Observed } from '../../core/resource.js';
import type { ObserveContext, ObserveRequest, ObserveResult } from '../provider.js';
import { PORT_KIND, type PortObserved, readPort } from './attributes.js';
import type { PortHolder } from '../../host/host.js';

export function busyText(port: number, holder: PortHolder | undefined): string {
  return holder
    ? `port ${port} is in use by pid ${holder.pid} (${holder.command})`
    : `port ${port} is in use (holder unknown)`;
}

export async function observePorts(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult> {
  const recorded = request.recorded.filter((r) => r.kind === PORT_KIND);
  const recordedPort = new Map(recorded.map((r) => [r.address, readPort(r.attributes).port]));
  // Desired ports that are not already ours: something else listening there is worth a warning.
  const wanted = request.desired
    .filter((d) => d.kind === PORT_KIND)
    .map((d) => ({ address: d.address, port: readPort(d.attributes).port }))
    .filter((d) => recordedPort.get(d.address) !== d.port);

  const inodesByPort = new Map<number, number[]>();
  for (const s of await ctx.host.processes.listeningPorts()) inodesByPort.set(s.port, [...(inodesByPort.get(s.port) ?? []), s.inode]);

  const interesting = [...recordedPort.values(), ...wanted.map((w) => w.port)];
  const inodes = new Set(interesting.flatMap((p) => inodesByPort.get(p) ?? []));
  const holders = ctx.host.processes.socketHolders(inodes);
  const holderOf = (port: number): PortHolder | undefined =>
    (inodesByPort.get(port) ?? []).map((i) => holders.get(i)).find((h) => h !== undefined);

  const observed: Observed[] = recorded.map((r) => {
    const p = readPort(r.attributes);
    const holder = holderOf(p.port);
    const attrs: PortObserved = {
      ...p,
      listening: inodesByPort.has(p.port),
      holder: holder ? { pid: holder.pid, command: holder.command } : null,
    };
    return { kind: PORT_KIND, address: r.address, attributes: attrs as Attributes };
  });
  const warnings: PlanWarning[] = wanted
    .filter((w) => inodesByPort.has(w.port))
    .map((w) => ({ code: 'port_busy', text: busyText(w.port, holderOf(w.port)), address: w.address }));
  return { observed, warnings };
}
