// A run whose every free-text field carries markup and script payloads, as a hostile server could send.

import type { RunView, ScenarioResult } from '../src/lib/types';
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
  'subject', 'target', 'retry_after', 'skipped',
]);

/** One scenario result of each measurement kind, and a replica lane and a latency lane to draw. */
function withScenarioResults(v: RunView): RunView {
  const c = v.run.credentials[0];
  const t = v.run.started_at;
  const r = (scenario: string, measurement: ScenarioResult['measurement']): ScenarioResult => ({
    scenario,
    credential_id: c.id,
    subject: c.label,
    replica: measurement.kind === 'replica' ? 2 : null,
    status: 'fail',
    severity: 'high',
    summary: `${scenario} result`,
    check_id: 'session.replicas',
    measurement,
  });
  v.run.results = [
    r('latency', { kind: 'latency', logout_at: t, last_accepted_at: t + 3000, first_rejected_at: t + 3010, latency_ms: 3005, resolution_ms: 10, polls: 300, deadline_ms: 30000 }),
    r('expiry', { kind: 'expiry', declared_expiry: t, skew_ms: 5000, replayed_at: t + 5000, exchange_id: 1, verdict: 'accepted' }),
    r('idle', { kind: 'idle', longest_accepted_gap_ms: 4000, first_rejected_gap_ms: 8000, probes: 4, max_gap_ms: 900000 }),
    r('replicas', { kind: 'replica', target: 'https://127.0.0.1:18444/', logout_replica: 2, reference: 'rejected', verdict: 'accepted', exchange_id: 2 }),
    r('entropy', { kind: 'entropy', samples: 200, estimate: null, skipped: 'structured tokens' }),
    r('rate-limit', { kind: 'rate-limit', attempts: 20, limited_at: null, retry_after: '60', locked_out: false, statuses: [401, 401] }),
  ];
  const lane = v.timeline.lanes[0];
  v.timeline.lanes.push({ ...lane, label: `${lane.label} @ replica 2`, replica: 2, revocation_gap: { from: t, observed_until: t + 10, expected_until: null } });
  v.timeline.lanes[1].latency = { logout_at: t, last_accepted: t + 3000, first_rejected: t + 3010, latency_ms: 3005, resolution_ms: 10, polls: 300 };
  return v;
}

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
  const v = poison(withScenarioResults(fixture('hybridFlawed')), null) as RunView;
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
