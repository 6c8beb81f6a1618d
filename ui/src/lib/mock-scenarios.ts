// The measuring scenarios for the mock backend: made-up but consistent data appended to a fixture run
// (exchanges, credentials, observations, results, findings and timeline lanes, built the way the core's
// timeline builds them), and the events a real run would stream for it, waits included. Deterministic: the
// times follow the run's own, so the same request gives the same run.

import { fixtureChecks } from './fixtures';
import { applySigning, jwtAttacks, verifiesJwts, verifyJwts, weakSecret } from './mock-jwt';
import type {
  Credential,
  EntropyMethod,
  Exchange,
  Finding,
  FlowEventKind,
  Lane,
  Measurement,
  Observation,
  Purpose,
  RunEvent,
  RunRequest,
  RunView,
  ScenarioResult,
  ScenarioSettings,
  Severity,
  Status,
  StepKind,
  Verdict,
} from './types';

/** The scenarios that measure something; lifecycle and rotation come from the fixture itself. */
export const MEASURING = ['jwt-attacks', 'replicas', 'latency', 'expiry', 'idle', 'entropy', 'rate-limit'];

/** Lab teaching lifetimes (the backend's `short_lifetimes`). */
const SHORT_MS: Partial<Record<Credential['kind'], number>> = { access: 10_000, refresh: 60_000, session: 20_000 };
const SHORT_IDLE_MS = 6_000;
/** The mock keeps its latency polls and idle probes few, whatever the settings allow. */
const MOCK_MAX_POLLS = 400;
const MOCK_MAX_PROBES = 6;

const STATUS_RANK: Status[] = ['fail', 'warn', 'pass', 'info', 'not-tested'];

export interface MockBatch {
  events: RunEvent[];
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class Builder {
  readonly run: RunView['run'];
  readonly batches: MockBatch[] = [];
  readonly creds: Credential[] = [];
  t: number;
  private exId: number;
  private credId: number;
  private step = 0;
  private readonly template: Exchange;
  private readonly base: URL;

  constructor(
    readonly view: RunView,
    stepsSoFar: number,
  ) {
    this.run = view.run;
    this.t = Math.max(view.timeline.end, view.run.finished_at ?? 0) + 20;
    this.exId = Math.max(0, ...view.run.exchanges.map((e) => e.id));
    this.credId = Math.max(0, ...view.run.credentials.map((c) => c.id));
    this.step = stepsSoFar;
    this.template = view.run.exchanges.find((e) => e.step === 'probe' && e.hops[0]?.response) ?? view.run.exchanges[0];
    this.base = new URL(view.run.targets[0] ?? 'https://127.0.0.1:8443/');
  }

  batch(...events: RunEvent[]): RunEvent[] {
    const b = { events };
    this.batches.push(b);
    return b.events;
  }

  stepStarted(scenario: string, step: StepKind, label: string): RunEvent {
    this.step += 1;
    return { event: 'step-started', scenario, step, label, index: this.step };
  }

  url(path: string, replica = 1): string {
    const u = new URL(path, this.base);
    if (replica > 1) u.port = String(Number(this.base.port || 443) + replica - 1);
    return u.toString();
  }

  exchange(step: StepKind, purpose: Purpose, label: string, status: number, method: string, url: string, at = this.t): [Exchange, RunEvent] {
    const x = JSON.parse(JSON.stringify(this.template)) as Exchange;
    this.exId += 1;
    Object.assign(x, { id: this.exId, step, purpose, label, started_at: at, duration_ms: 2, error: null });
    x.hops = x.hops.slice(0, 1);
    const hop = x.hops[0];
    hop.started_at = at;
    hop.duration_ms = 2;
    hop.request.method = method;
    hop.request.url = url;
    if (hop.response) {
      hop.response.status = status;
      hop.response.set_cookies = [];
      hop.response.headers = hop.response.headers.filter((h) => h.name.toLowerCase() !== 'set-cookie');
    }
    this.run.exchanges.push(x);
    this.t = at + 3;
    return [x, { event: 'exchange-captured', id: x.id, method, url, status, duration_ms: 2 }];
  }

  /** A login in `scenario`: its exchange, the credential it issues and the flow event. */
  login(scenario: string, short: boolean, replica = 1, want?: (c: Credential) => boolean): { cred: Credential; events: RunEvent[] } {
    const [ex, captured] = this.exchange('login', 'flow', 'login', 200, 'POST', this.url('login', replica));
    const like =
      (want && this.run.credentials.find(want)) ??
      this.run.credentials.find((c) => c.kind === 'session') ??
      this.run.credentials.find((c) => c.kind === 'access') ??
      this.run.credentials[0];
    const cred = JSON.parse(JSON.stringify(like)) as Credential;
    this.credId += 1;
    const life = short ? (SHORT_MS[cred.kind] ?? null) : like.declared_expiry !== null ? like.declared_expiry - like.issued_at : null;
    Object.assign(cred, {
      id: this.credId,
      generation: 1,
      label: `${cred.kind} #1 · ${scenario}`,
      issued_at: ex.started_at + 2,
      issued_by: ex.id,
      issued_in: 'login',
      scenario,
      declared_expiry: life === null ? null : ex.started_at + 2 + life,
    });
    if (cred.jwt && cred.declared_expiry !== null) cred.jwt.exp = Math.floor(cred.declared_expiry / 1000);
    this.run.credentials.push(cred);
    this.creds.push(cred);
    this.flowEvent('login', ex, scenario);
    return {
      cred,
      events: [
        this.stepStarted(scenario, 'login', replica > 1 ? `login on replica ${replica}` : 'login'),
        captured,
        { event: 'credential-issued', id: cred.id, label: cred.label, kind: cred.kind, expires_at: cred.declared_expiry },
      ],
    };
  }

  flowEvent(kind: FlowEventKind, ex: Exchange, scenario: string): void {
    const e = { kind, at: ex.started_at + ex.duration_ms, exchange_id: ex.id, scenario };
    this.run.events.push(e);
    this.view.timeline.events.push({ ...e });
  }

  observe(cred: Credential, ex: Exchange, verdict: Verdict, purpose: Purpose, replica?: number): RunEvent {
    const after = [...this.run.events].reverse().find((e) => e.scenario === cred.scenario && e.at <= ex.started_at)?.kind ?? null;
    const o: Observation = { credential_id: cred.id, at: ex.started_at, exchange_id: ex.id, verdict, purpose, after_event: after, status: ex.hops[0]?.response?.status ?? null };
    if (replica !== undefined) o.replica = replica;
    this.run.observations.push(o);
    return { event: 'replay-result', credential_id: cred.id, label: cred.label, verdict, status: o.status };
  }

  probe(cred: Credential, verdict: Verdict, purpose: Purpose, label: string, replica = 1, at = this.t): RunEvent[] {
    const status = verdict === 'accepted' ? 200 : 401;
    const [ex, captured] = this.exchange('probe', purpose, label, status, 'GET', this.url('me', replica), at);
    const observed = this.observe(cred, ex, verdict, purpose, this.run.targets.length > 1 && cred.scenario === 'replicas' ? replica : undefined);
    return purpose === 'flow' ? [captured] : [captured, observed];
  }

  logout(scenario: string, replica = 1): RunEvent[] {
    const [ex, captured] = this.exchange('logout', 'flow', replica > 1 ? `logout on replica ${replica}` : 'logout', 200, 'POST', this.url('logout', replica));
    this.flowEvent('logout', ex, scenario);
    return [this.stepStarted(scenario, 'logout', ex.label), captured];
  }

  result(r: Omit<ScenarioResult, 'severity'> & { severity?: Severity }): RunEvent {
    const full: ScenarioResult = { severity: 'medium', ...r };
    this.run.results.push(full);
    return { event: 'result', result: full };
  }

  waiting(scenario: string, until: number, reason: string, ids: number[]): RunEvent {
    return { event: 'waiting', scenario, until, reason, credential_ids: ids };
  }
}

function replicas(b: Builder, n: number, flaws: string[]): void {
  const sc = 'replicas';
  const base = b.run.targets[0] ?? 'https://127.0.0.1:8443/';
  b.run.targets = [base, ...Array.from({ length: n - 1 }, (_, i) => b.url('/', i + 2))];
  const { cred, events } = b.login(sc, false);
  b.batch(...events, ...b.probe(cred, 'accepted', 'flow', 'probe after login on replica 1'));
  for (let r = 2; r <= n; r++) b.batch(...b.probe(cred, 'accepted', 'replica-replay', `probe on replica ${r}`, r));
  const logoutOn = 2;
  b.batch(...b.logout(sc, logoutOn));
  const keeps = flaws.includes('logout-keeps-session');
  const local = flaws.includes('per-replica-store');
  const verdictOn = (r: number): Verdict => (keeps || (local && r !== logoutOn) ? 'accepted' : 'rejected');
  const reference = verdictOn(logoutOn);
  b.batch(b.stepStarted(sc, 'probe', 'replay on every replica'), ...b.probe(cred, reference, 'replica-replay', `replay ${cred.label} on replica ${logoutOn}`, logoutOn));
  for (let r = 1; r <= n; r++) {
    if (r === logoutOn) continue;
    const verdict = verdictOn(r);
    const events = b.probe(cred, verdict, 'replica-replay', `replay ${cred.label} on replica ${r}`, r);
    const exchangeId = b.run.exchanges.at(-1)?.id ?? null;
    const here = `replica ${r} (${new URL(b.run.targets[r - 1]).origin})`;
    const [status, severity, summary]: [Status, Severity, string] =
      reference === 'accepted'
        ? ['warn', 'high', `${cred.label} is still accepted on replica ${logoutOn} where it logged out, and on ${here}: not revoked anywhere (see session.logout)`]
        : verdict === 'accepted'
          ? ['fail', 'high', `${cred.label} was rejected by replica ${logoutOn} after logging out there, but ${here} still accepts it: the replicas do not share revocation`]
          : ['pass', 'high', `${here} rejected ${cred.label} after the logout on replica ${logoutOn}`];
    const m: Measurement = { kind: 'replica', target: b.run.targets[r - 1], logout_replica: logoutOn, reference, verdict, exchange_id: exchangeId };
    b.batch(...events, b.result({ scenario: sc, credential_id: cred.id, subject: `replica ${r} · ${cred.label}`, replica: r, status, severity, summary, check_id: 'session.replicas', measurement: m }));
  }
}

function latency(b: Builder, s: ScenarioSettings, flaws: string[]): void {
  const sc = 'latency';
  const { cred, events } = b.login(sc, false);
  b.batch(...events, ...b.probe(cred, 'accepted', 'flow', 'probe after login'));
  b.batch(...b.logout(sc));
  const logoutAt = b.run.events.at(-1)?.at ?? b.t;
  const deadline = s.latency_deadline_secs * 1000;
  const revokeAfter = flaws.includes('logout-keeps-session') ? Infinity : flaws.includes('slow-revocation') ? 3000 : 0;
  const maxPolls = Math.min(s.latency_max_polls, MOCK_MAX_POLLS);
  const interval = Math.max(s.latency_interval_ms, 10, revokeAfter === Infinity ? deadline / maxPolls : 0);
  b.batch(
    b.stepStarted(sc, 'probe', 'poll 1 old credential(s) until rejected'),
    b.waiting(sc, logoutAt + deadline, 'polling old credentials after logout until each is rejected', [cred.id]),
  );
  let lastAccepted: number | null = null;
  let firstRejected: number | null = null;
  let polls = 0;
  let chunk: RunEvent[] = [];
  for (let at = logoutAt + 2; polls < maxPolls && at < logoutAt + deadline; at += interval) {
    const verdict: Verdict = at - logoutAt < revokeAfter ? 'accepted' : 'rejected';
    const [ex, captured] = b.exchange('probe', 'latency-poll', `poll ${cred.label}`, verdict === 'accepted' ? 200 : 401, 'GET', b.url('me'), Math.round(at));
    b.observe(cred, ex, verdict, 'latency-poll');
    chunk.push(captured);
    polls += 1;
    if (verdict === 'accepted') lastAccepted = ex.started_at;
    else {
      firstRejected = ex.started_at + ex.duration_ms;
      break;
    }
    // Streamed in chunks: a real run sends one event per poll, but the mock need not be that slow.
    if (chunk.length === 50) {
      b.batch(...chunk);
      chunk = [];
    }
  }
  if (chunk.length) b.batch(...chunk);
  let latencyMs: number | null = null;
  let resolution: number | null = null;
  let status: Status;
  let summary: string;
  if (firstRejected === null) {
    status = 'fail';
    summary = `${cred.label} was still accepted ${secs(deadline)} after logout (${polls} polls): not revoked`;
  } else {
    const lower = Math.max(lastAccepted ?? logoutAt, logoutAt);
    resolution = firstRejected - lower;
    latencyMs = lastAccepted === null ? 0 : lower - logoutAt + resolution / 2;
    status = latencyMs <= 1000 ? 'pass' : 'warn';
    summary =
      lastAccepted === null
        ? `${cred.label} was rejected at the first poll, ${resolution} ms after logout: revoked at once`
        : `${cred.label} was revoked ${Math.round(latencyMs)} ms after logout (±${Math.round(resolution / 2)} ms, ${polls} polls)`;
  }
  const m: Measurement = { kind: 'latency', logout_at: logoutAt, last_accepted_at: lastAccepted, first_rejected_at: firstRejected, latency_ms: latencyMs, resolution_ms: resolution, polls, deadline_ms: deadline };
  b.batch(b.result({ scenario: sc, credential_id: cred.id, subject: cred.label, replica: null, status, severity: 'high', summary, check_id: null, measurement: m }));
}

function expiry(b: Builder, s: ScenarioSettings, flaws: string[], short: boolean): void {
  const sc = 'expiry';
  const { cred, events } = b.login(sc, short);
  b.batch(...events, ...b.probe(cred, 'accepted', 'flow', 'probe after login'));
  const skew = s.expiry_skew_secs * 1000;
  const check = cred.jwt ? 'jwt.expiry-enforced' : null;
  const base = { scenario: sc, credential_id: cred.id, subject: cred.label, replica: null, check_id: check };
  const exp = cred.declared_expiry;
  if (exp === null || exp - b.t > s.expiry_max_wait_secs * 1000) {
    const why = exp === null ? `${cred.label} declares no expiry` : `${cred.label} expires beyond the wait limit of ${secs(s.expiry_max_wait_secs * 1000)} (expiry_max_wait_secs)`;
    const m: Measurement = { kind: 'expiry', declared_expiry: exp ?? 0, skew_ms: skew, replayed_at: null, exchange_id: null, verdict: null };
    b.batch(b.result({ ...base, status: 'not-tested', summary: why, measurement: m }));
    return;
  }
  const at = exp + skew;
  b.batch(b.stepStarted(sc, 'probe', 'wait for declared expiries'), b.waiting(sc, at, `${cred.label} expires; replaying it ${s.expiry_skew_secs} s after (skew)`, [cred.id]));
  const verdict: Verdict = flaws.includes('no-expiry-check') ? 'accepted' : 'rejected';
  const replay = b.probe(cred, verdict, 'expiry-replay', `replay ${cred.label} after its expiry`, 1, at);
  const m: Measurement = { kind: 'expiry', declared_expiry: exp, skew_ms: skew, replayed_at: at, exchange_id: b.run.exchanges.at(-1)?.id ?? null, verdict };
  const summary = verdict === 'accepted' ? `${cred.label} was accepted ${secs(at - exp)} after its declared expiry` : `${cred.label} was rejected after its declared expiry`;
  b.batch(...replay, b.result({ ...base, status: verdict === 'accepted' ? 'fail' : 'pass', severity: 'high', summary, measurement: m }));
}

function idle(b: Builder, s: ScenarioSettings, flaws: string[]): void {
  const sc = 'idle';
  const { cred, events } = b.login(sc, true);
  b.batch(...events, ...b.probe(cred, 'accepted', 'flow', 'probe after login'));
  const timeout = flaws.includes('no-idle-timeout') ? Infinity : SHORT_IDLE_MS;
  const maxGap = s.idle_max_gap_secs * 1000;
  let gap = s.idle_first_gap_secs * 1000;
  let longestOk: number | null = null;
  let firstRejected: number | null = null;
  let probes = 0;
  b.batch(b.stepStarted(sc, 'probe', 'probe after growing idle gaps'));
  while (gap <= maxGap && probes < MOCK_MAX_PROBES) {
    const at = b.t + gap;
    b.batch(b.waiting(sc, at, `idle for ${secs(gap)} before the next probe`, [cred.id]));
    const verdict: Verdict = gap < timeout ? 'accepted' : 'rejected';
    b.batch(...b.probe(cred, verdict, 'idle-probe', `probe after ${secs(gap)} idle`, 1, at));
    probes += 1;
    if (verdict === 'rejected') {
      firstRejected = gap;
      break;
    }
    longestOk = gap;
    gap *= 2;
  }
  const lower = longestOk === null ? '0 s' : secs(longestOk);
  const [status, summary]: [Status, string] =
    firstRejected === null
      ? ['warn', `${cred.label} was still accepted after ${lower} idle; no idle timeout found`]
      : ['pass', `${cred.label}: idle timeout between ${lower} and ${secs(firstRejected)} (accepted after ${lower} idle, rejected after ${secs(firstRejected)})`];
  const m: Measurement = { kind: 'idle', longest_accepted_gap_ms: longestOk, first_rejected_gap_ms: firstRejected, probes, max_gap_ms: maxGap };
  b.batch(b.result({ scenario: sc, credential_id: cred.id, subject: cred.label, replica: null, status, summary, check_id: 'session.timeout', measurement: m }));
}

function entropy(b: Builder, s: ScenarioSettings, flaws: string[]): void {
  const sc = 'entropy';
  const samples = s.entropy_samples;
  const start = b.stepStarted(sc, 'login', `log in ${samples} times to sample session ids`);
  const jwt = b.run.credentials.some((c) => c.kind === 'access' && c.jwt) && !b.run.credentials.some((c) => c.kind === 'session');
  const base = { scenario: sc, credential_id: null, replica: null, check_id: 'session.entropy' };
  let r: RunEvent;
  if (jwt) {
    const m: Measurement = { kind: 'entropy', samples: 0, estimate: null, skipped: 'the session credential is a JWT: its unpredictability is the signature key, not the id' };
    r = b.result({ ...base, subject: 'access tokens', status: 'not-tested', summary: 'not estimated: structured tokens (JWT)', measurement: m });
  } else if (flaws.includes('weak-session-id')) {
    const by: [EntropyMethod, number][] = [['per-character', 26.2], ['per-bit', 24.9], ['duplicates', 14.8], ['ceiling', 26.6]];
    const m: Measurement = { kind: 'entropy', samples, estimate: { samples, distinct: samples - 13, length: 8, alphabet: 'decimal', bits: 14.8, method: 'duplicates', by_method: by }, skipped: null };
    r = b.result({ ...base, subject: 'session ids (__Host-sid)', status: 'fail', severity: 'critical', summary: `session ids carry about 14.8 bits (duplicates among ${samples} samples): guessable`, measurement: m });
  } else {
    const by: [EntropyMethod, number][] = [['per-character', 251.3], ['per-bit', 247.9], ['compression', 236.4], ['ceiling', 258]];
    const m: Measurement = { kind: 'entropy', samples, estimate: { samples, distinct: samples, length: 43, alphabet: 'base64', bits: 236.4, method: 'compression', by_method: by }, skipped: null };
    r = b.result({ ...base, subject: 'session ids (__Host-sid)', status: 'pass', severity: 'high', summary: `session ids carry about 236.4 bits (compression, ${samples} samples)`, measurement: m });
  }
  b.batch(start, r);
}

function rateLimit(b: Builder, s: ScenarioSettings, flaws: string[]): void {
  const sc = 'rate-limit';
  const attempts = Math.min(s.rate_limit_attempts, 100);
  const limitAt = flaws.includes('no-rate-limit') ? null : Math.min(5, attempts);
  const statuses: number[] = [];
  const events: RunEvent[] = [b.stepStarted(sc, 'login', `try up to ${attempts} wrong passwords`)];
  for (let i = 1; i <= attempts; i++) {
    const status = limitAt !== null && i >= limitAt ? 429 : 401;
    const [, captured] = b.exchange('login', 'rate-limit-attempt', `wrong password ${i}`, status, 'POST', b.url('login'));
    statuses.push(status);
    events.push(captured);
    if (status === 429) break;
  }
  const m: Measurement = { kind: 'rate-limit', attempts: statuses.length, limited_at: limitAt, retry_after: limitAt === null ? null : '60', locked_out: false, statuses };
  const [status, summary]: [Status, string] =
    limitAt === null
      ? ['fail', `${statuses.length} wrong passwords in a row were all answered 401: no rate limit`]
      : ['pass', `refused with 429 at attempt ${limitAt} (Retry-After: 60); the right password still worked`];
  b.batch(...events, b.result({ scenario: sc, credential_id: null, subject: 'login of alice', replica: null, status, severity: 'high', summary, check_id: 'login.rate-limit', measurement: m }));
}

/** The timeline lanes of these credentials, as `authlens_core::timeline::build` makes them. */
export function lanesOf(view: RunView, creds: Credential[]): Lane[] {
  const { run } = view;
  const lanes: Lane[] = [];
  for (const c of creds) {
    const obs = run.observations.filter((o) => o.credential_id === c.id);
    const replicaIds = [...new Set(obs.map((o) => o.replica ?? null))].sort((a, b) => (a ?? 0) - (b ?? 0));
    if (replicaIds.length === 0) replicaIds.push(null);
    const lat = run.results.find((r) => r.credential_id === c.id && r.measurement.kind === 'latency')?.measurement;
    const latency =
      lat?.kind === 'latency'
        ? { logout_at: lat.logout_at, last_accepted: lat.last_accepted_at, first_rejected: lat.first_rejected_at, latency_ms: lat.latency_ms, resolution_ms: lat.resolution_ms, polls: lat.polls }
        : null;
    const logout = run.events.find((e) => e.kind === 'logout' && e.scenario === c.scenario);
    for (const replica of replicaIds) {
      const marks = obs
        .filter((o) => (o.replica ?? null) === replica)
        .map((o) => ({ at: o.at, verdict: o.verdict, purpose: o.purpose, exchange_id: o.exchange_id, after_event: o.after_event, status: o.status }))
        .sort((a, b) => a.at - b.at);
      const accepted = marks.filter((m) => m.verdict === 'accepted').map((m) => m.at);
      const rejected = marks.filter((m) => m.verdict === 'rejected').map((m) => m.at);
      const after = logout ? accepted.filter((t) => t >= logout.at) : [];
      lanes.push({
        credential_id: c.id,
        label: replica === null ? c.label : `${c.label} @ replica ${replica}`,
        kind: c.kind,
        scenario: c.scenario,
        issued_at: c.issued_at,
        declared_expiry: c.declared_expiry,
        expiry_source: c.expiry_source,
        marks,
        last_accepted: accepted.length ? Math.max(...accepted) : null,
        first_rejected: rejected.length ? Math.min(...rejected) : null,
        revocation_gap: logout && after.length ? { from: logout.at, observed_until: Math.max(...after), expected_until: c.declared_expiry } : null,
        replica,
        latency,
      });
    }
  }
  return lanes;
}

/** Findings for the checks the results feed: the worst result decides, every result is evidence. */
function findingsOf(results: ScenarioResult[]): Finding[] {
  const ids = [...new Set(results.map((r) => r.check_id).filter((id): id is string => id !== null))];
  return ids.map((id) => {
    const rs = results.filter((r) => r.check_id === id);
    const worst = [...rs].sort((a, b) => STATUS_RANK.indexOf(a.status) - STATUS_RANK.indexOf(b.status))[0];
    const doc = fixtureChecks.find((c) => c.id === id);
    return {
      check_id: id,
      title: doc?.title ?? id,
      status: worst.status,
      severity: worst.severity,
      summary: rs.filter((r) => r.status === worst.status).map((r) => r.summary).join('; '),
      explanation: doc?.explanation ?? '',
      evidence: rs.map((r) => ({
        exchange_id: r.measurement.kind === 'expiry' || r.measurement.kind === 'replica' || r.measurement.kind === 'forgery' ? r.measurement.exchange_id : null,
        credential_id: r.credential_id,
        location: `${r.scenario} scenario: ${r.subject}`,
        detail: `${r.status}: ${r.summary}`,
      })),
      references: doc?.references ?? [],
    };
  });
}

/**
 * Adds the request's measuring scenarios to a completed fixture run and returns the events to stream after
 * the fixture's. `stepsSoFar` numbers the new steps after the fixture's.
 */
export function addScenarios(view: RunView, request: RunRequest, defaults: ScenarioSettings, stepsSoFar: number): MockBatch[] {
  const picked = MEASURING.filter((s) => request.scenarios.includes(s));
  if (view.run.status !== 'completed') return [];
  const t = request.target;
  const signing = (t.kind === 'lab' && t.signing) || 'hs256';
  applySigning(view, signing);
  // The weak-secret audit runs after the scenarios for every HMAC-signed JWT, whatever was picked.
  const hmac = view.run.credentials.some((c) => /^HS(256|384|512)$/.test(c.jwt?.alg ?? ''));
  const verifies = verifiesJwts(request) && view.run.credentials.some((c) => c.jwt);
  if (picked.length === 0 && !hmac && !verifies) return [];
  const flaws = t.kind === 'lab' ? t.flaws : [];
  const settings = { ...defaults, ...request.settings };
  const short = t.kind === 'lab' ? (t.short_lifetimes ?? (picked.includes('expiry') || picked.includes('idle'))) : false;
  const b = new Builder(view, stepsSoFar);
  for (const sc of picked) {
    if (sc === 'jwt-attacks') jwtAttacks(b, flaws, request.reveal, verifies, signing);
    else if (sc === 'replicas') replicas(b, Math.min(Math.max(t.kind === 'lab' ? (t.replicas ?? 3) : 3, 2), 5), flaws);
    else if (sc === 'latency') latency(b, settings, flaws);
    else if (sc === 'expiry') expiry(b, settings, flaws, short);
    else if (sc === 'idle') idle(b, settings, flaws);
    else if (sc === 'entropy') entropy(b, settings, flaws);
    else rateLimit(b, settings, flaws);
  }
  weakSecret(b, flaws, request.reveal);
  if (verifies) verifyJwts(view, flaws, signing);
  const run = view.run;
  run.scenarios = [...new Set([...run.scenarios, ...picked])];
  run.finished_at = b.t;
  view.timeline.end = b.t;
  view.timeline.lanes.push(...lanesOf(view, b.creds));
  for (const f of findingsOf(run.results)) {
    const i = run.findings.findIndex((x) => x.check_id === f.check_id);
    if (i === -1) run.findings.push(f);
    else run.findings[i] = f;
  }
  return b.batches;
}
