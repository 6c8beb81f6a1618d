// Words for the timeline: tooltips, aria-labels and the table equivalent share them.

import { formatAbsolute, formatDuration, formatOffset } from './format';
import { gapGeometry, makeScale } from './timeline-geometry';
import type { CredentialKind, ExpirySource, FlowEvent, Gap, Lane, Mark, Purpose } from './types';

export const KIND_LABEL: Record<CredentialKind, string> = {
  session: 'session',
  'pre-login-session': 'pre-login session',
  access: 'access token',
  refresh: 'refresh token',
  id: 'ID token',
  csrf: 'CSRF token',
  other: 'credential',
};

export const SOURCE_LABEL: Record<ExpirySource, string> = {
  'jwt-exp': 'JWT exp',
  'cookie-max-age': 'cookie Max-Age',
  'cookie-expires': 'cookie Expires',
  'expires-in': 'expires_in',
};

export const PURPOSE_LABEL: Record<Purpose, string> = {
  flow: 'in the flow',
  'replay-after-logout': 'replayed after logout',
  'fixation-replay': 'fixation replay',
  'reuse-after-rotation': 'reused after rotation',
  'newest-after-reuse': 'newest tried after reuse',
  'plain-http': 'over plain http',
};

/** "07:32:24.539 (+115 ms)" style: absolute, and relative to the run start. */
export function at(t: number, origin: number): string {
  return `${formatAbsolute(t)} (${formatOffset(t - origin)} from start)`;
}

export function expiryText(lane: Lane): string {
  if (lane.declared_expiry === null) return 'no declared expiry';
  const src = lane.expiry_source ? ` (${SOURCE_LABEL[lane.expiry_source]})` : '';
  const life = lane.declared_expiry - lane.issued_at;
  return `${formatAbsolute(lane.declared_expiry)}, ${life < 0 ? 'before issue!' : `${formatDuration(life)} after issue`}${src}`;
}

export function gapText(gap: Gap): string {
  const g = gapGeometry(makeScale({ start: gap.from, end: gap.from + 1 }, 0, 1), gap);
  const until = g.basis === 'declared-expiry' ? `until its declared expiry ${formatAbsolute(g.until)}` : `at least until the last accepted replay ${formatAbsolute(g.until)}`;
  return `revocation gap: still accepted ${formatDuration(gap.observed_until - gap.from)} after logout; valid ${until} (${formatDuration(g.until - gap.from)} after logout)`;
}

export function markText(lane: Lane, m: Mark, origin: number): string {
  const status = m.status !== null ? `HTTP ${m.status}` : 'no status';
  return `${lane.label}: ${m.verdict} ${PURPOSE_LABEL[m.purpose]} at ${at(m.at, origin)}, ${status}, exchange #${m.exchange_id}`;
}

export function laneText(lane: Lane, origin: number): string {
  const parts = [`${lane.label} (${KIND_LABEL[lane.kind]}, ${lane.scenario})`, `issued ${at(lane.issued_at, origin)}`, `expires ${expiryText(lane)}`];
  if (lane.revocation_gap) parts.push(gapText(lane.revocation_gap));
  return parts.join('; ');
}

export function eventText(e: FlowEvent, origin: number): string {
  return `${e.kind} (${e.scenario}) at ${at(e.at, origin)}, exchange #${e.exchange_id}`;
}
