/** What gaia's own TLS connections trust: node's root certificates plus the file NODE_EXTRA_CA_CERTS
 *  names (a company CA in front of a shared PostgreSQL state, say), as node itself would.
 *
 *  Why not leave it to node: node reads and parses that file before it runs any script (~80 ms when
 *  it names the system's CA bundle), so bin/gaia starts node without it, and most commands open no
 *  connection at all. The file is read here instead, once, when the first connection opens. Every
 *  TLS connection gaia opens takes its options from `tlsTrust()`. */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

export interface TlsTrust {
  /** The certificates trusted: node's roots and the extra ones; undefined keeps node's defaults. */
  readonly ca?: readonly string[];
  /** Made once from `ca` for every connection (tls.connect / https / pg's `ssl` take it): given `ca`
   *  itself, each connection would parse all the certificates again (~90 ms for the system bundle). */
  readonly secureContext?: tls.SecureContext;
  /** Why the extra file was not used (node's own words for it: a warning, and the defaults). */
  readonly warning?: string;
}

let loaded: { readonly file: string; readonly trust: TlsTrust } | undefined;

export function tlsTrust(environ: NodeJS.ProcessEnv = process.env): TlsTrust {
  const file = environ.NODE_EXTRA_CA_CERTS;
  if (!file) return {};
  if (loaded?.file !== file) loaded = { file, trust: read(file) };
  return loaded.trust;
}

function read(file: string): TlsTrust {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    return { warning: `Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}` };
  }
  const extra = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (extra.length === 0) return { warning: `Ignoring extra certs from \`${file}\`: it holds no PEM certificate` };
  const ca = [...tls.rootCertificates, ...extra];
  return { ca, secureContext: tls.createSecureContext({ ca }) };
}

/** tls.connect with gaia's trust (options given win). */
export function connectTls(options: tls.ConnectionOptions): tls.TLSSocket {
  const { secureContext } = tlsTrust();
  return tls.connect({ ...(secureContext ? { secureContext } : {}), ...options });
}
