// A display-only JWT decoder (nothing verified), used by the mock backend. The real one is the core's
// `tokens::jwt::decode`; this follows its shape: never throws, describes what it cannot decode.

import type { DecodedJwt, JsonValue } from './types';

export function base64ToBytes(b64: string): Uint8Array | null {
  const clean = b64.replace(/-/g, '+').replace(/_/g, '/').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  const padded = clean + '='.repeat((4 - (clean.length % 4)) % 4);
  try {
    const bin = atob(padded);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function segmentJson(seg: string, which: string, problems: string[]): JsonValue | null {
  const bytes = base64ToBytes(seg);
  if (!bytes) {
    problems.push(`${which}: not base64url`);
    return null;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as JsonValue;
  } catch {
    problems.push(`${which}: not JSON`);
    return null;
  }
}

const str = (o: JsonValue | null, k: string): string | null => {
  if (o && typeof o === 'object' && !Array.isArray(o) && typeof o[k] === 'string') return o[k];
  return null;
};
const num = (o: JsonValue | null, k: string): number | null => {
  if (o && typeof o === 'object' && !Array.isArray(o) && typeof o[k] === 'number') return Math.trunc(o[k]);
  return null;
};

export function decodeJwtForDisplay(token: string): DecodedJwt | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return null;
  const problems: string[] = [];
  const header = segmentJson(parts[0], 'header', problems);
  if (header === null) return null;
  const claims = segmentJson(parts[1], 'claims', problems);
  const sig = base64ToBytes(parts[2]);
  if (parts[2] && !sig) problems.push('signature: not base64url');
  return {
    header,
    claims,
    signature_len: sig ? sig.length : 0,
    alg: str(header, 'alg'),
    typ: str(header, 'typ'),
    kid: str(header, 'kid'),
    iat: num(claims, 'iat'),
    nbf: num(claims, 'nbf'),
    exp: num(claims, 'exp'),
    problems,
  };
}
