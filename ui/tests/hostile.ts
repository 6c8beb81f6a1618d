// A run whose every free-text field carries markup and script payloads, as a hostile server could send.

import type { RunView } from '../src/lib/types';
import { fixture } from './helpers';

export const PAYLOADS = [
  `<img src=x onerror="window.__pwned=1">`,
  `<script>window.__pwned=1</script>`,
  `javascript:window.__pwned=1`,
  `<svg onload="window.__pwned=1"><a href="javascript:window.__pwned=1">x</a></svg>`,
  `"><iframe src="javascript:window.__pwned=1"></iframe>`,
  `{@html '<b>bold</b>'}`,
  `\u202Eevil\u202C`,
];
export const PAYLOAD = PAYLOADS.join(' ');

/** Keys whose strings a server can influence (enums such as kind, step, status stay valid). */
const TEXT_KEYS = new Set([
  'profile_name', 'targets', 'label', 'url', 'name', 'value', 'text', 'set_cookies', 'http_version', 'method',
  'title', 'summary', 'explanation', 'location', 'detail', 'references', 'check_id', 'message', 'code',
  'fingerprint', 'scenario', 'raw', 'pointer', 'selector', 'pattern', 'alg', 'typ', 'kid', 'problems',
  'domain', 'path', 'same_site', 'notes', 'line', 'reason',
]);

function poison(v: unknown, key: string | null): unknown {
  if (typeof v === 'string') return key !== null && TEXT_KEYS.has(key) ? `${v} ${PAYLOAD}` : v;
  if (Array.isArray(v)) return v.map((x) => poison(x, key));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'header' || k === 'claims' ? x : poison(x, k);
    return out;
  }
  return v;
}

export function hostileView(): RunView {
  const v = poison(fixture('hybridFlawed'), null) as RunView;
  const jwtCred = v.run.credentials.find((c) => c.jwt);
  if (jwtCred?.jwt) {
    jwtCred.jwt.header = { alg: PAYLOAD, [PAYLOAD]: PAYLOAD };
    jwtCred.jwt.claims = { sub: PAYLOAD, nested: { html: PAYLOADS[0] }, list: PAYLOADS };
    jwtCred.jwt.exp = JSON.parse('9223372036854775807') as number; // i64::MAX as the backend sends it
  }
  const ex = v.run.exchanges[0];
  ex.error = { code: PAYLOAD, message: PAYLOAD };
  if (ex.hops[0].response) {
    ex.hops[0].response.body = { text: JSON.stringify({ html: PAYLOAD }), size: 100 };
    ex.hops[0].response.headers.push({ name: PAYLOADS[0], value: PAYLOADS[1], raw_bytes_escaped: true });
  }
  v.run.exchanges[1].hops[0].request.body = { text: PAYLOAD, size: PAYLOAD.length };
  v.run.error = { code: 'flow.request', message: PAYLOAD };
  return v;
}
