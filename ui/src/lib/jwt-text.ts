// Words for a JWT's verification (the signature and claims checked against the profile's keys), the keys a
// run verified with, and the header parameters by which a token names its own key. Everything that came from
// the token or the server goes through `visible`; callers render it as text.

import { formatAbsolute, visible } from './format';
import type { JsonValue, KeySourceInfo, SignatureVerdict, Status } from './types';

export const SIGNATURE_LABEL: Record<SignatureVerdict, string> = {
  verified: 'signature verified',
  invalid: 'signature invalid',
  'no-key': 'no key to verify',
  'unsupported-alg': 'unsupported alg',
  unsigned: 'unsigned (alg none)',
  malformed: 'malformed',
};

/** The badge colour of each verdict, as a checklist status. */
export const SIGNATURE_STATUS: Record<SignatureVerdict, Status> = {
  verified: 'pass',
  invalid: 'fail',
  'no-key': 'not-tested',
  'unsupported-alg': 'warn',
  unsigned: 'fail',
  malformed: 'warn',
};

export const SIGNATURE_ICON: Record<SignatureVerdict, string> = {
  verified: '✓',
  invalid: '✗',
  'no-key': '∅',
  'unsupported-alg': '⚠',
  unsigned: '✗',
  malformed: '⚠',
};

/** "with key lab-rs256-1 from JWKS https://…": which key, and where it came from, when known. */
export function keyPhrase(key: string | null, source: string | null): string {
  const k = key ? `key ${visible(key)}` : '';
  const s = source ? `from ${visible(source)}` : '';
  if (k && s) return `with ${k} ${s}`;
  if (k) return `with ${k}`;
  return s;
}

/** The header parameters by which a token names its own key. */
export const HEADER_KEY_PARAMS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/** `[name, shown value]` for each key-naming parameter the header carries (values shortened, as text). */
export function headerKeyParams(header: JsonValue | null): [string, string][] {
  if (!header || typeof header !== 'object' || Array.isArray(header)) return [];
  const out: [string, string][] = [];
  for (const name of HEADER_KEY_PARAMS) {
    if (!(name in header)) continue;
    const v = header[name];
    const text = typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
    out.push([name, visible(text.length > 120 ? `${text.slice(0, 120)}…` : text)]);
  }
  return out;
}

export const isHmacAlg = (alg: string | null | undefined): boolean => alg === 'HS256' || alg === 'HS384' || alg === 'HS512';

export const KEY_KIND_LABEL: Record<string, string> = {
  secret: 'HMAC secret',
  pem: 'PEM file',
  'jwks-file': 'JWKS file',
  'jwks-url': 'JWKS URL',
  oidc: 'OIDC discovery',
};

/** "fetched 2026-… (from the cache)", "fetched 2026-…", "" for keys that are not fetched. */
export function fetchedText(s: KeySourceInfo): string {
  if (s.fetched_at === null) return s.from_cache ? 'from the cache' : '';
  return `fetched ${formatAbsolute(s.fetched_at)}${s.from_cache ? ' (from the cache)' : ''}`;
}

/** "new key lab-rs256-2 since 2026-…", "removed lab-rs256-0": what changed since the previous fetch. */
export function rotationText(s: KeySourceInfo): string[] {
  const r = s.rotation;
  if (!r) return [];
  const since = formatAbsolute(r.previous_fetch);
  const out: string[] = [];
  if (r.added.length) out.push(`new key${r.added.length > 1 ? 's' : ''} ${r.added.map(visible).join(', ')} since ${since}`);
  if (r.removed.length) out.push(`removed ${r.removed.map(visible).join(', ')} since ${since}`);
  if (!out.length) out.push(`no change since ${since}`);
  return out;
}
