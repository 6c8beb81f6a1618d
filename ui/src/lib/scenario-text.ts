// Words for the measuring scenarios: countdowns, results and their measurements in plain language. Server
// text inside (Retry-After, target URLs) goes through `visible`; callers render everything as text.

import { formatAbsolute, formatDuration, formatSeconds, visible } from './format';
import type { EntropyMethod, LatencyInterval, Measurement, Verdict } from './types';

/** "4.2 s" under a minute (a countdown the eye can follow), "4m 12s" beyond. */
export function timeLeft(ms: number): string {
  const a = Math.max(ms, 0);
  return a < 60_000 ? `${(Math.floor(a / 100) / 10).toFixed(1)} s` : formatSeconds(a);
}

/** "30 s", "1.5 s", "2m": durations the settings speak in. */
function secs(ms: number): string {
  return ms % 1000 === 0 && ms < 60_000 ? `${ms / 1000} s` : formatDuration(ms);
}

const ms = (n: number) => `${Math.round(n)} ms`;

const VERDICT_TEXT: Record<Verdict, string> = { accepted: 'accepted', rejected: 'rejected', inconclusive: 'inconclusive' };

/** A forged token's verdict, shouted when the target took it. */
export const FORGERY_VERDICT: Record<Verdict, string> = { accepted: 'ACCEPTED', rejected: 'rejected', inconclusive: 'inconclusive' };

/** The jwt-attacks scenario's attacks in words (the core's `Attack` names). */
export const ATTACK_LABEL: Record<string, string> = {
  'tampered-payload': 'tampered payload (signature kept)',
  'stripped-signature': 'signature stripped',
  'truncated-signature': 'signature truncated',
  'alg-none': 'alg none (no signature)',
  'key-confusion': 'key confusion (public key as HMAC secret)',
  psychic: 'psychic signature (ECDSA r = s = 0)',
  'embedded-jwk': 'embedded jwk (the token brings its own key)',
  'kid-traversal': 'kid path traversal',
  'wrong-audience': 'token for another audience',
};

/** An attack in words; an unknown name as sent (visible), an empty one as "not tested". */
export function attackLabel(attack: string): string {
  if (attack === '') return 'not tested';
  return ATTACK_LABEL[attack] ?? visible(attack);
}

/** The weak-secret audit's outcomes in words. */
export const OUTCOME_LABEL: Record<string, string> = {
  found: 'secret found',
  'not-found': 'not found',
  'timed-out': 'time limit reached',
  cancelled: 'cancelled',
  error: 'not audited',
};

/** "1,234,567": counts as the eye reads them. */
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "2.4 M candidates/s", "830 k candidates/s", "412 candidates/s". */
export function perSecond(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0 candidates/s';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M candidates/s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)} k candidates/s`;
  return `${Math.round(n)} candidates/s`;
}

/** "line 12 of the built-in list", "line 3 of /usr/share/wordlists/rockyou.txt". */
export function foundWhere(source: string | null, line: number | null): string {
  if (source === 'blank secret') return 'the blank secret (empty key)';
  const where = source === null ? 'an unnamed list' : source === 'built-in list' ? 'the built-in list' : visible(source);
  return line === null ? where : `line ${count(line)} of ${where}`;
}

export const METHOD_LABEL: Record<EntropyMethod, string> = {
  'per-character': 'per character',
  'per-bit': 'per bit',
  compression: 'compression',
  duplicates: 'duplicates',
  ceiling: 'ceiling (length × alphabet)',
};

/** "401 ×5, 429 ×15": a status list with runs folded. */
export function statusRuns(statuses: number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < statuses.length) {
    let j = i;
    while (j < statuses.length && statuses[j] === statuses[i]) j++;
    out.push(j - i > 1 ? `${statuses[i]} ×${j - i}` : String(statuses[i]));
    i = j;
  }
  return out.length ? out.join(', ') : 'none';
}

/** The timeline's label for a measured revocation: "revoked after 3.01 s ± 4 ms". */
export function latencyLabel(l: LatencyInterval): string {
  if (l.first_rejected === null) return 'still accepted at deadline';
  if (l.last_accepted === null) return `revoked at once (rejected ${formatDuration(l.first_rejected - l.logout_at)} after logout)`;
  return `revoked after ${formatDuration(l.latency_ms ?? 0)} ± ${formatDuration((l.resolution_ms ?? 0) / 2)}`;
}

/** One line in plain words for a measurement. */
export function measurementHeadline(m: Measurement): string {
  switch (m.kind) {
    case 'latency':
      if (m.polls === 0) return 'not measured';
      if (m.first_rejected_at === null) return `not revoked within ${secs(m.deadline_ms)} (${m.polls} polls)`;
      if (m.last_accepted_at === null) return `rejected at the first poll, ${ms(m.first_rejected_at - m.logout_at)} after logout (${m.polls} polls)`;
      return `revoked ${ms(m.latency_ms ?? 0)} after logout ± ${ms((m.resolution_ms ?? 0) / 2)} (${m.polls} polls)`;
    case 'expiry':
      if (m.replayed_at === null || m.verdict === null) return `declared expiry ${formatAbsolute(m.declared_expiry)}; not replayed`;
      return `${VERDICT_TEXT[m.verdict]} ${formatDuration(m.replayed_at - m.declared_expiry)} after its declared expiry`;
    case 'idle': {
      const ok = m.longest_accepted_gap_ms;
      const no = m.first_rejected_gap_ms;
      if (ok === null && no === null) return 'no idle probe was made';
      if (no === null) return `accepted after ${secs(ok ?? 0)} idle; not rejected up to the ${secs(m.max_gap_ms)} limit`;
      if (ok === null) return `rejected after ${secs(no)} idle (no shorter gap was tried)`;
      return `accepted after ${secs(ok)} idle, rejected after ${secs(no)}`;
    }
    case 'replica':
      return `${visible(m.target)}: ${VERDICT_TEXT[m.verdict]}; replica ${m.logout_replica} (where the logout was): ${VERDICT_TEXT[m.reference]}`;
    case 'entropy':
      if (!m.estimate) return `not estimated${m.skipped ? `: ${visible(m.skipped)}` : ''} (${m.samples} samples)`;
      return `about ${m.estimate.bits.toFixed(1)} bits (${METHOD_LABEL[m.estimate.method]}) from ${m.estimate.samples} samples`;
    case 'rate-limit':
      return m.limited_at === null ? `never limited in ${m.attempts} attempts` : `limited at attempt ${m.limited_at} of ${m.attempts}`;
    case 'forgery':
      if (m.attack === '') return 'not tested';
      return `${attackLabel(m.attack)}: ${FORGERY_VERDICT[m.verdict]}${m.http_status === null ? '' : ` (HTTP ${m.http_status})`}`;
    case 'weak-secret':
      switch (m.outcome) {
        case 'found':
          return `${visible(m.alg)} secret found: ${foundWhere(m.found_in, m.line)}`;
        case 'not-found':
          return `${visible(m.alg)} secret not among ${count(m.tried)} candidates`;
        case 'timed-out':
          return `${visible(m.alg)} secret not among the first ${count(m.tried)} candidates (time limit)`;
        case 'cancelled':
          return `cancelled after ${count(m.tried)} candidates`;
        default:
          return `${visible(m.alg)} secret not audited`;
      }
  }
}

/** The numbers behind the headline, as label → value pairs. */
export function measurementFacts(m: Measurement): [string, string][] {
  switch (m.kind) {
    case 'latency':
      return [
        ['Logout', formatAbsolute(m.logout_at)],
        ['Last accepted', m.last_accepted_at === null ? 'none after logout' : `${formatAbsolute(m.last_accepted_at)} (+${ms(m.last_accepted_at - m.logout_at)})`],
        ['First rejected', m.first_rejected_at === null ? `none within ${secs(m.deadline_ms)}` : `${formatAbsolute(m.first_rejected_at)} (+${ms(m.first_rejected_at - m.logout_at)})`],
        ['Resolution', m.resolution_ms === null ? '—' : `± ${ms(m.resolution_ms / 2)}`],
        ['Polls', `${m.polls} (deadline ${secs(m.deadline_ms)})`],
      ];
    case 'expiry':
      return [
        ['Declared expiry', formatAbsolute(m.declared_expiry)],
        ['Replayed', m.replayed_at === null ? 'not replayed (beyond the wait limit, or cancelled)' : `${formatAbsolute(m.replayed_at)} (skew ${secs(m.skew_ms)})`],
        ['Verdict', m.verdict === null ? '—' : VERDICT_TEXT[m.verdict]],
      ];
    case 'idle':
      return [
        ['Longest accepted gap', m.longest_accepted_gap_ms === null ? 'none' : secs(m.longest_accepted_gap_ms)],
        ['First rejected gap', m.first_rejected_gap_ms === null ? 'none' : secs(m.first_rejected_gap_ms)],
        ['Probes', `${m.probes} (longest gap allowed ${secs(m.max_gap_ms)})`],
      ];
    case 'replica':
      return [
        ['Target', visible(m.target)],
        ['Verdict here', VERDICT_TEXT[m.verdict]],
        [`On replica ${m.logout_replica} (logout)`, VERDICT_TEXT[m.reference]],
      ];
    case 'entropy': {
      const e = m.estimate;
      if (!e) return [['Samples', String(m.samples)], ['Skipped', m.skipped ? visible(m.skipped) : 'no estimate']];
      return [
        ['Estimate', `${e.bits.toFixed(1)} bits`],
        ['Method', METHOD_LABEL[e.method]],
        ['Samples', String(e.samples)],
        ['Length', `${e.length} characters`],
        ['Alphabet', e.alphabet],
        ['Distinct', `${e.distinct} of ${e.samples}`],
      ];
    }
    case 'rate-limit':
      return [
        ['Attempts', String(m.attempts)],
        ['Limited at', m.limited_at === null ? 'never' : `attempt ${m.limited_at}`],
        ['Retry-After', m.retry_after === null ? 'not sent' : visible(m.retry_after)],
        ['Lockout', m.locked_out === null ? 'not tried' : m.locked_out ? 'yes: the right password was refused afterwards' : 'no: the right password still worked'],
        ['Statuses', statusRuns(m.statuses)],
      ];
    case 'forgery':
      if (m.attack === '') return [];
      return [
        ['Attack', attackLabel(m.attack)],
        ['Variant', visible(m.variant)],
        ['Verdict', FORGERY_VERDICT[m.verdict]],
        ['HTTP status', m.http_status === null ? 'no answer' : String(m.http_status)],
      ];
    case 'weak-secret': {
      const facts: [string, string][] = [
        ['Algorithm', visible(m.alg)],
        ['Outcome', OUTCOME_LABEL[m.outcome] ?? visible(m.outcome)],
      ];
      if (m.outcome === 'found') {
        facts.push(['Found in', foundWhere(m.found_in, m.line)]);
        if (m.secret !== null) facts.push(['Secret', visible(m.secret)]);
      }
      facts.push(
        ['Tried', `${count(m.tried)} candidates`],
        ['Elapsed', formatDuration(m.elapsed_ms)],
        ['Speed', perSecond(m.per_sec)],
        ['Searched', m.sources.length ? m.sources.map(visible).join(', ') : '—'],
      );
      return facts;
    }
  }
}
