/** Provider contexts for tests that call a provider directly: this machine as the host (around the
 *  test's own executor when it counts or breaks commands), and each provider's settings. */
import type { Executor } from '../../src/host/exec.js';
import type { Host } from '../../src/host/host.js';
import { localHost } from '../../src/host/local/local-host.js';
import type { ProviderSettings } from '../../src/providers/provider.js';

export function testHost(exec?: Executor): Host {
  return localHost(exec);
}

export function testSettings(over: { readonly socket?: string; readonly cacheDir?: string } = {}): ProviderSettings {
  return {
    tmux: over.socket === undefined ? {} : { socket: over.socket },
    sqlite: over.cacheDir === undefined ? {} : { cacheDir: over.cacheDir },
  };
}
