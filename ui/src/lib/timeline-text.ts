// Words for the timeline: tooltips, aria-labels and the table equivalent share them.

import { formatAbsolute, formatDuration, formatOffset } from './format';
import { latencyLabel } from './scenario-text';
import { gapGeometry, isReplicaLane, makeScale } from './timeline-geometry';
import type { CredentialKind, ExpirySource, FlowEvent, Gap, Lane, LatencyInterval, Mark, Purpose } from './types';

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
  'expiry-replay': 'replayed after its declared expiry',
  'latency-poll': 'polled after logout',
  'idle-probe': 'probed after an idle gap',
  'replica-replay': 'replayed on a replica',
  'entropy-sample': 'sampled for entropy',
  'rate-limit-attempt': 'wrong-password attempt',
  'key-fetch': 'verification key fetch',
  'forged-token': 'forged token sent',
};

/** Plural words for a run of marks of one purpose ("612 accepted polls after logout"). */
const PURPOSE_PLURAL: Partial<Record<Purpose, string>> = {
  'latency-poll': 'polls after logout',
  'idle-probe': 'idle probes',
  'replica-replay': 'replica replays',
};

/** Unique per lane: the replicas scenario gives one credential several lanes. */
export const laneKey = (lane: Lane): string => `${lane.credential_id}:${lane.replica ?? '-'}`;

/** The label without the " @ replica N" the backend appends (the replica is shown on its own). */
export function baseLabel(lane: Lane): string {
  const suffix = ` @ replica ${lane.replica}`;
  return isReplicaLane(lane) && lane.label.endsWith(suffix) ? lane.label.slice(0, -suffix.length) : lane.label;
}

/** What the target was seen to accept: "accepted until 07:32:24.539 (+2.1 s after issue); first rejected …". */
export function observedText(lane: Lane): string {
  const ok = lane.last_accepted !== null ? `last accepted ${formatAbsolute(lane.last_accepted)} (${formatOffset(lane.last_accepted - lane.issued_at)} after issue)` : 'never seen accepted';
  const no = lane.first_rejected !== null ? `first rejected ${formatAbsolute(lane.first_rejected)} (${formatOffset(lane.first_rejected - lane.issued_at)} after issue)` : 'never seen rejected';
  return `${ok}; ${no}`;
}

/** The latency measurement in words, for tooltips and the table. */
export function latencyText(l: LatencyInterval): string {
  const polls = `${l.polls} poll${l.polls === 1 ? '' : 's'}`;
  if (l.first_rejected === null) {
    return `measured revocation: still accepted at the deadline (${polls}${l.last_accepted !== null ? `, last accepted ${formatDuration(l.last_accepted - l.logout_at)} after logout` : ''})`;
  }
  return `measured revocation: ${latencyLabel(l)} (between ${l.last_accepted !== null ? formatAbsolute(l.last_accepted) : `the logout ${formatAbsolute(l.logout_at)}`} and ${formatAbsolute(l.first_rejected)}, ${polls})`;
}

/** Several marks drawn as one: "612 accepted polls after logout from … to …". */
export function markRunText(lane: Lane, first: Mark, last: Mark, count: number, origin: number): string {
  if (count === 1) return markText(lane, first, origin);
  const what = PURPOSE_PLURAL[first.purpose] ?? `marks ${PURPOSE_LABEL[first.purpose]}`;
  return `${lane.label}: ${count} ${first.verdict} ${what} from ${at(first.at, origin)} to ${formatAbsolute(last.at)}, exchanges #${first.exchange_id} to #${last.exchange_id}`;
}

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
  const parts = [`${lane.label} (${KIND_LABEL[lane.kind]}, ${lane.scenario})`, `issued ${at(lane.issued_at, origin)}`, `expires ${expiryText(lane)}`, observedText(lane)];
  if (lane.revocation_gap) parts.push(gapText(lane.revocation_gap));
  if (lane.latency) parts.push(latencyText(lane.latency));
  return parts.join('; ');
}

export function eventText(e: FlowEvent, origin: number): string {
  return `${e.kind} (${e.scenario}) at ${at(e.at, origin)}, exchange #${e.exchange_id}`;
}
