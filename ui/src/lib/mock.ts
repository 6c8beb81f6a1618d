// A deterministic in-memory backend: fixture runs recorded against the lab, a history, saved profiles and
// a small profile validator. Used by the tests and by the browser-only dev mode (`npm run dev` outside Tauri).

import { BackendError, type Backend } from './backend';
import { cloneView, DOWN_PROFILE_TOML, fixtureChecks, fixtureProfiles, fixtureRuns, type FixtureName } from './fixtures';
import { decodeJwtForDisplay } from './jwt';
import { mockAudit } from './mock-audit';
import { JWT_FLAWS } from './mock-jwt';
import { mockApplyForm, mockReadForm } from './mock-form';
import { addScenarios } from './mock-scenarios';
import type {
  Credential,
  LabCatalogue,
  ProfileCheck,
  Run,
  RunEvent,
  RunRequest,
  RunSummary,
  RunView,
  SavedProfile,
} from './types';

export interface MockOptions {
  /** Pause between captured exchanges while a run streams (0: no pause, the default). */
  delayMs?: number;
  /** When given, runs started through the mock are moved in time so they start at `now()`. */
  now?: () => number;
  /** The OS keychain the mock pretends to have: an in-memory one (the default), or none (headless CI). */
  keychain?: 'available' | 'unavailable';
  /** Pause between an audit's progress reports (default: 150 ms with `delayMs`, else none). */
  auditTickMs?: number;
}

export const NO_KEYCHAIN_REASON =
  'no OS keychain available: DBus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11';

/** The keychain account of a profile, as the backend keys it: its username at its base URL's origin. */
export function mockAccount(toml: string): string | null {
  const base = /^base_url\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const user = /^username\s*=\s*"([^"]+)"/m.exec(toml)?.[1]?.trim();
  if (!base || !user) return null;
  try {
    return `${user} at ${new URL(base).origin}`;
  } catch {
    return null;
  }
}

/** A stand-in for the core's reference resolver: catalogue references only, the same publishers. */
export function mockReferenceUrl(reference: string): string | null {
  if (!fixtureChecks.some((c) => c.references.includes(reference))) return null;
  let m: RegExpExecArray | null;
  if ((m = /^RFC 6265bis ([\d.]+)$/.exec(reference))) {
    return `https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-${m[1]}`;
  }
  if ((m = /^RFC (\d+) ([\d.]+)$/.exec(reference))) return `https://www.rfc-editor.org/rfc/rfc${m[1]}.html#section-${m[2]}`;
  if ((m = /^ZAP (\d+)$/.exec(reference))) return `https://www.zaproxy.org/docs/alerts/${m[1]}/`;
  if ((m = /^(CVE-\d{4}-\d+)$/.exec(reference))) return `https://www.cve.org/CVERecord?id=${m[1]}`;
  if (/^ASVS \d+\.\d+\.\d+$/.test(reference)) return 'https://github.com/OWASP/ASVS/blob/v5.0.0/5.0/en/';
  if (/^WSTG-[A-Z]+-\d+$/.test(reference)) return 'https://owasp.org/www-project-web-security-testing-guide/latest/';
  return null;
}

export const LAB_CATALOGUE: LabCatalogue = {
  modes: [
    { name: 'session', description: 'Server-side sessions behind a cookie, HTML login form with CSRF token.' },
    { name: 'jwt', description: 'Stateless access JWT plus rotating opaque refresh tokens, all in JSON.' },
    { name: 'hybrid', description: 'Access JWT in JSON, refresh token in an HttpOnly cookie.' },
  ],
  flaws: [
    { name: 'no-httponly', modes: ['session', 'hybrid'], description: 'The credential cookie lacks HttpOnly, so page scripts (and any XSS) can read it.' },
    { name: 'no-secure', modes: ['session', 'hybrid'], description: 'The credential cookie lacks Secure (and its __Host-/__Secure- prefix), so it may travel over plain HTTP.' },
    { name: 'samesite-none', modes: ['session', 'hybrid'], description: 'The credential cookie is SameSite=None, so browsers attach it to cross-site requests (CSRF).' },
    { name: 'no-samesite', modes: ['session', 'hybrid'], description: 'The credential cookie has no SameSite attribute; protection is left to browser defaults.' },
    { name: 'fixation', modes: ['session'], description: 'Login keeps the pre-login session id, so an id planted by an attacker becomes signed in.' },
    { name: 'logout-keeps-session', modes: ['session', 'jwt', 'hybrid'], description: 'Logout clears the cookie and says OK, but the session or refresh tokens stay valid on the server.' },
    { name: 'no-rotation', modes: ['jwt', 'hybrid'], description: 'Refresh hands back the same refresh token, so a stolen one works for its whole lifetime.' },
    { name: 'no-reuse-detection', modes: ['jwt', 'hybrid'], description: 'Replaying a used refresh token is refused but does not revoke its family, so a thief\'s newer token keeps working.' },
    { name: 'long-lived', modes: ['session', 'jwt', 'hybrid'], description: 'Credentials live for months: cookies 400 days, access tokens 30 days, refresh tokens 365 days.' },
    { name: 'no-store-missing', modes: ['session', 'jwt', 'hybrid'], description: 'Login and refresh responses lack Cache-Control: no-store, so credentials may land in caches.' },
    { name: 'token-in-url', modes: ['session'], description: 'The session id is put in the post-login URL (?sid=), leaking through history, logs and Referer.' },
    { name: 'per-replica-store', modes: ['session', 'jwt', 'hybrid'], description: 'Each replica keeps sessions and revocations in its own memory: a logout on one replica is unknown to the others.' },
    { name: 'slow-revocation', modes: ['session', 'jwt', 'hybrid'], description: 'Revocations take effect about 3 s after logout (a cache in front of the store).' },
    { name: 'no-expiry-check', modes: ['jwt', 'hybrid'], description: 'Access tokens are accepted after their exp: the signature is checked, the expiry is not.' },
    { name: 'no-idle-timeout', modes: ['session'], description: 'Sessions never time out while idle; only their absolute lifetime ends them.' },
    { name: 'weak-session-id', modes: ['session'], description: 'Session ids are 8 decimal digits from a weak generator: guessable.' },
    { name: 'no-rate-limit', modes: ['session', 'jwt', 'hybrid'], description: 'Login answers every wrong password at once, with no 429, delay or lockout.' },
    ...JWT_FLAWS.map((f) => ({ ...f, modes: ['jwt', 'hybrid'] })),
  ],
  users: [
    { username: 'alice', email: 'alice@lab.test' },
    { username: 'bob', email: 'bob@lab.test' },
  ],
  scenarios: [
    { name: 'lifecycle', description: 'login, probe, refresh, logout, then replay every old credential', default: true, opt_in: false, waits: false },
    { name: 'rotation', description: 'refresh twice, replay the first refresh token (reuse detection)', default: true, opt_in: false, waits: false },
    { name: 'jwt-attacks', description: 'send forged JWTs to the probe: tampered, alg none, key confusion, psychic signature, header keys (opt-in)', default: false, opt_in: true, waits: false },
    { name: 'replicas', description: 'log in and out on one base URL, replay on every other replica', default: false, opt_in: false, waits: false },
    { name: 'latency', description: 'poll old credentials after logout until rejected: time to revoke', default: false, opt_in: false, waits: true },
    { name: 'expiry', description: "wait until each credential's declared expiry + skew, then replay it", default: false, opt_in: false, waits: true },
    { name: 'idle', description: 'probe after growing idle gaps to find the idle timeout (opt-in, waits)', default: false, opt_in: true, waits: true },
    { name: 'entropy', description: 'log in repeatedly to sample fresh session ids and estimate their entropy (opt-in)', default: false, opt_in: true, waits: false },
    { name: 'rate-limit', description: 'try wrong passwords for the test account: 429, Retry-After, lockout (opt-in)', default: false, opt_in: true, waits: false },
  ],
  signings: [
    { name: 'hs256', description: 'HS256: one shared secret signs and verifies (nothing to publish; guessable if weak).' },
    { name: 'rs256', description: 'RS256: an RSA key pair; the public key is published at the JWKS and OpenID discovery URLs.' },
    { name: 'es256', description: 'ES256: a P-256 key pair (ECDSA), published like RS256; the psychic-signature flaw needs it.' },
    { name: 'eddsa', description: 'EdDSA: an Ed25519 key pair, published like RS256.' },
  ],
  scenario_defaults: {
    expiry_skew_secs: 5,
    expiry_max_wait_secs: 900,
    latency_deadline_secs: 30,
    latency_max_polls: 3000,
    latency_interval_ms: 5,
    idle_first_gap_secs: 1,
    idle_max_gap_secs: 900,
    entropy_samples: 200,
    rate_limit_attempts: 20,
  },
};

/** Stable ids for the fixture runs in the mock history. */
export const HISTORY_IDS: Record<FixtureName, string> = {
  hybridFlawed: '01a2022b-0006-7000-8000-000000000006',
  sessionFlawed: '01a2022b-0005-7000-8000-000000000005',
  down: '01a2022b-0004-7000-8000-000000000004',
  hybrid: '01a2022b-0003-7000-8000-000000000003',
  jwt: '01a2022b-0002-7000-8000-000000000002',
  session: '01a2022b-0001-7000-8000-000000000001',
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The longest wait the browser preview makes (a real expiry or idle wait can take minutes). */
const MAX_PREVIEW_WAIT_MS = 4000;

export function summarize(run: Run): RunSummary {
  const count = (s: string) => run.findings.filter((f) => f.status === s).length;
  return {
    id: run.id,
    profile_name: run.profile_name,
    targets: run.targets,
    started_at: run.started_at,
    finished_at: run.finished_at,
    status: run.status,
    exchanges: run.exchanges.length,
    fails: count('fail'),
    warns: count('warn'),
    passes: count('pass'),
  };
}

const TOP_LEVEL_KEYS = new Set(['name', 'base_url', 'http_base_url', 'tls', 'user', 'http', 'prefetch', 'login', 'probe', 'refresh', 'logout', 'jwt']);

/** A small stand-in for the core's profile validator: line-level syntax, known sections, required keys. */
export function mockValidateProfile(toml: string): ProfileCheck {
  const lines = toml.split('\n');
  let name: string | null = null;
  let section: string | null = null;
  const seen = new Set<string>();
  const fail = (line: number, column: number, key: string | null, message: string): ProfileCheck => ({
    ok: false,
    name,
    error: { line, column, key, message },
  });
  // Brackets still open from a multi-line array or inline table (strings and comments skipped).
  const depth = (text: string): number => {
    let d = 0;
    let quote: string | null = null;
    for (let j = 0; j < text.length; j++) {
      const ch = text[j];
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = null;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#') break;
      else if (ch === '[' || ch === '{') d++;
      else if (ch === ']' || ch === '}') d--;
    }
    return d;
  };
  let open = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.trim();
    if (open > 0) {
      open += depth(line);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const head = /^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (head) {
      section = head[1];
      const top = section.split('.')[0];
      if (!TOP_LEVEL_KEYS.has(top)) {
        return fail(i + 1, raw.indexOf('[') + 1, top, `unknown section \`${top}\``);
      }
      seen.add(top);
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) {
      return fail(i + 1, raw.length - raw.trimStart().length + 1, null, 'expected `key = value` or a [section]');
    }
    open = Math.max(depth(kv[2]), 0);
    const key = section ? `${section}.${kv[1]}` : kv[1];
    if (!section) {
      if (!TOP_LEVEL_KEYS.has(kv[1])) return fail(i + 1, raw.indexOf(kv[1]) + 1, key, `unknown key \`${kv[1]}\``);
      seen.add(kv[1]);
      if (kv[1] === 'name') {
        const m = /^"([^"]*)"/.exec(kv[2].trim());
        if (!m) return fail(i + 1, raw.indexOf('=') + 2, 'name', 'the name must be a "string"');
        name = m[1];
      }
    }
  }
  for (const required of ['name', 'base_url', 'login', 'probe']) {
    if (!seen.has(required)) return fail(1, 1, required, `missing \`${required}\``);
  }
  return { ok: true, name, error: null };
}

/** Every time in a run view moved by `delta` ms (JWT claims and cookie Expires in seconds). */
export function shiftView(v: RunView, delta: number): RunView {
  const ms = (t: number | null) => (t === null ? null : t + delta);
  const s = (t: number | null) => (t === null ? null : t + Math.round(delta / 1000));
  const { run, timeline } = v;
  run.started_at += delta;
  run.finished_at = ms(run.finished_at);
  for (const e of run.exchanges) {
    e.started_at += delta;
    for (const h of e.hops) h.started_at += delta;
  }
  const shiftCred = (c: Credential) => {
    c.issued_at += delta;
    c.declared_expiry = ms(c.declared_expiry);
    if (c.jwt) {
      c.jwt.iat = s(c.jwt.iat);
      c.jwt.nbf = s(c.jwt.nbf);
      c.jwt.exp = s(c.jwt.exp);
      const claims = c.jwt.claims;
      if (claims && typeof claims === 'object' && !Array.isArray(claims)) {
        for (const k of ['iat', 'nbf', 'exp', 'auth_time']) {
          const val = claims[k];
          if (typeof val === 'number') claims[k] = val + Math.round(delta / 1000);
        }
      }
    }
    if (c.cookie) {
      c.cookie.expires = s(c.cookie.expires);
      c.cookie.verdict.effective_expiry = ms(c.cookie.verdict.effective_expiry);
    }
  };
  run.credentials.forEach(shiftCred);
  for (const o of run.observations) o.at += delta;
  for (const e of run.events) e.at += delta;
  timeline.start += delta;
  timeline.end += delta;
  for (const e of timeline.events) e.at += delta;
  for (const l of timeline.lanes) {
    l.issued_at += delta;
    l.declared_expiry = ms(l.declared_expiry);
    l.last_accepted = ms(l.last_accepted);
    l.first_rejected = ms(l.first_rejected);
    for (const m of l.marks) m.at += delta;
    if (l.revocation_gap) {
      l.revocation_gap.from += delta;
      l.revocation_gap.observed_until += delta;
      l.revocation_gap.expected_until = ms(l.revocation_gap.expected_until);
    }
  }
  for (const j of v.jars) {
    j.at += delta;
    for (const c of j.cookies) {
      c.expires = ms(c.expires);
      if (c.verdict) c.verdict.effective_expiry = ms(c.verdict.effective_expiry);
    }
    for (const r of j.received) if (r.verdict) r.verdict.effective_expiry = ms(r.verdict.effective_expiry);
  }
  return v;
}

/** The run as it stood after its first `n` exchanges (what a cancelled run keeps). */
export function truncateView(v: RunView, n: number): RunView {
  const { run, timeline } = v;
  run.exchanges = run.exchanges.slice(0, n);
  const kept = new Set(run.exchanges.map((e) => e.id));
  run.credentials = run.credentials.filter((c) => kept.has(c.issued_by));
  const creds = new Set(run.credentials.map((c) => c.id));
  run.observations = run.observations.filter((o) => kept.has(o.exchange_id) && creds.has(o.credential_id));
  run.events = run.events.filter((e) => kept.has(e.exchange_id));
  timeline.events = timeline.events.filter((e) => kept.has(e.exchange_id));
  // Each jar depends only on the exchanges before it: the kept ones are what the core would compute.
  v.jars = v.jars.filter((j) => kept.has(j.exchange_id));
  timeline.lanes = timeline.lanes
    .filter((l) => creds.has(l.credential_id))
    .map((l) => {
      const marks = l.marks.filter((m) => kept.has(m.exchange_id));
      const gap = l.revocation_gap;
      const keepsGap = gap !== null && marks.some((m) => m.at >= gap.from && m.verdict === 'accepted');
      return { ...l, marks, revocation_gap: keepsGap ? gap : null };
    });
  const last = run.exchanges.at(-1);
  timeline.end = last ? last.started_at + Math.round(last.duration_ms) : run.started_at;
  return v;
}

function pickFixture(request: RunRequest): FixtureName {
  const t = request.target;
  if (t.kind === 'lab') {
    const flawed = t.flaws.length > 0;
    if (t.mode === 'session') return flawed ? 'sessionFlawed' : 'session';
    if (t.mode === 'jwt') return 'jwt';
    return flawed ? 'hybridFlawed' : 'hybrid';
  }
  if (t.toml.includes('127.0.0.1:1"') || /name\s*=\s*"[^"]*down/i.test(t.toml)) return 'down';
  if (/jwt/i.test(t.toml.split('\n').find((l) => l.startsWith('name')) ?? '')) return 'jwt';
  if (/hybrid/i.test(t.toml)) return 'hybrid';
  return 'session';
}

/** The RunEvents a real run would stream for this recorded run, in order, grouped per exchange. */
export function eventsFor(run: Run): RunEvent[][] {
  const batches: RunEvent[][] = [];
  let index = 0;
  let previous = '';
  for (const ex of run.exchanges) {
    const batch: RunEvent[] = [];
    const stepKey = `${ex.step}/${ex.label}`;
    if (ex.purpose === 'flow' && stepKey !== previous) {
      index += 1;
      const scenario = run.credentials.find((c) => c.issued_by === ex.id)?.scenario ?? run.scenarios[0] ?? 'lifecycle';
      batch.push({ event: 'step-started', scenario, step: ex.step, label: ex.label, index });
    }
    previous = stepKey;
    const first = ex.hops[0]?.request;
    batch.push({
      event: 'exchange-captured',
      id: ex.id,
      method: first?.method ?? 'GET',
      url: first?.url ?? '',
      status: ex.hops.at(-1)?.response?.status ?? null,
      duration_ms: ex.duration_ms,
    });
    for (const c of run.credentials.filter((c) => c.issued_by === ex.id)) {
      batch.push({ event: 'credential-issued', id: c.id, label: c.label, kind: c.kind, expires_at: c.declared_expiry });
    }
    for (const o of run.observations.filter((o) => o.exchange_id === ex.id && o.purpose !== 'flow')) {
      const label = run.credentials.find((c) => c.id === o.credential_id)?.label ?? `credential ${o.credential_id}`;
      batch.push({ event: 'replay-result', credential_id: o.credential_id, label, verdict: o.verdict, status: o.status });
    }
    batches.push(batch);
  }
  return batches;
}

export function createMockBackend(options: MockOptions = {}): Backend {
  const delayMs = options.delayMs ?? 0;
  const history = new Map<string, RunView>();
  for (const [name, id] of Object.entries(HISTORY_IDS) as [FixtureName, string][]) {
    const v = cloneView(fixtureRuns[name]);
    v.run.id = id;
    history.set(id, v);
  }
  const profiles = new Map<string, string>(fixtureProfiles.map((p) => [p.name, p.toml]));
  const running = new Map<string, { cancelled: boolean }>();
  const audits = new Map<string, { cancelled: boolean }>();
  const auditTickMs = options.auditTickMs ?? (delayMs > 0 ? 150 : 0);
  let counter = 0;
  // account → password; never leaves the mock.
  const keychain = new Map<string, string>();
  const keychainUp = (options.keychain ?? 'available') === 'available';
  const status = (toml: string) => {
    const check = mockValidateProfile(toml);
    if (!check.ok && check.error) reject('profile.invalid', check.error.message);
    const account = mockAccount(toml) ?? '';
    if (!account) return { account, available: false, stored: false, reason: 'a password is kept per username: this profile has none' };
    if (!keychainUp) return { account, available: false, stored: false, reason: NO_KEYCHAIN_REASON };
    return { account, available: true, stored: keychain.has(account), reason: null };
  };
  const keychainAccount = (toml: string): string => {
    const s = status(toml);
    if (!s.available) reject('keychain.unavailable', s.reason ?? NO_KEYCHAIN_REASON);
    return s.account;
  };

  const reject = (code: string, message: string): never => {
    throw new BackendError({ code, message });
  };

  return {
    async appInfo() {
      return { version: '0.1.0 (mock)', data_dir: '/home/user/.local/share/authlens', db_path: '/home/user/.local/share/authlens/history.db' };
    },
    async labCatalogue() {
      return JSON.parse(JSON.stringify(LAB_CATALOGUE)) as LabCatalogue;
    },
    async checkCatalogue() {
      return JSON.parse(JSON.stringify(fixtureChecks)) as typeof fixtureChecks;
    },
    async startRun(request, onEvent) {
      const t = request.target;
      if (running.has(request.request_id)) reject('run.duplicate', `a run with request id ${request.request_id} is already going`);
      if (t.kind === 'lab') {
        if (!LAB_CATALOGUE.modes.some((m) => m.name === t.mode)) reject('lab.unknown-mode', `unknown lab mode \`${t.mode}\``);
        const bad = t.flaws.find((f) => !LAB_CATALOGUE.flaws.some((x) => x.name === f && x.modes.includes(t.mode)));
        if (bad) reject('lab.unknown-flaw', `flaw \`${bad}\` does not apply to mode ${t.mode}`);
      } else {
        const check = mockValidateProfile(t.toml);
        if (!check.ok && check.error) {
          const e = check.error;
          reject('profile.invalid', `line ${e.line}, column ${e.column}${e.key ? ` (${e.key})` : ''}: ${e.message}`);
        }
        if (t.password === '') reject('profile.password-missing', 'a password is needed to log in to this target');
        if (t.password === null) {
          const account = keychainAccount(t.toml);
          if (!keychain.has(account)) reject('keychain.not-stored', `no password is stored in the OS keychain for ${account}`);
        }
      }
      counter += 1;
      const view = cloneView(fixtureRuns[pickFixture(request)]);
      view.run.id = `mock-run-${String(counter).padStart(4, '0')}`;
      if (options.now) shiftView(view, options.now() - view.run.started_at);
      const state = { cancelled: false };
      running.set(request.request_id, state);
      try {
        const batches = eventsFor(view.run);
        const steps = (bs: RunEvent[][]) => bs.reduce((n, b) => n + b.filter((e) => e.event === 'step-started').length, 0);
        batches.push(...addScenarios(view, request, LAB_CATALOGUE.scenario_defaults, steps(batches)).map((b) => b.events));
        onEvent({ event: 'started', run_id: view.run.id, profile: view.run.profile_name, total_steps: steps(batches) });
        // Cancelling keeps what was streamed: exchanges and results are in the run in streaming order.
        let exchanges = 0;
        let results = 0;
        for (const batch of batches) {
          if (delayMs > 0) await sleep(delayMs);
          if (state.cancelled) break;
          for (const e of batch) {
            if (e.event === 'waiting' && delayMs > 0 && options.now) {
              // The preview really waits, briefly, and counts down to the wait it makes.
              const wait = Math.min(Math.max(e.until - options.now(), 0), MAX_PREVIEW_WAIT_MS);
              onEvent({ ...e, until: options.now() + wait });
              for (let left = wait; left > 0 && !state.cancelled; left -= 100) await sleep(Math.min(left, 100));
              if (state.cancelled) break;
              continue;
            }
            onEvent(e);
            if (e.event === 'exchange-captured') exchanges += 1;
            if (e.event === 'result') results += 1;
          }
          if (state.cancelled) break;
        }
        if (state.cancelled) {
          view.run.results = view.run.results.slice(0, results);
          truncateView(view, exchanges);
          view.run.status = 'cancelled';
          view.run.error = { code: 'cancelled', message: 'the run was cancelled' };
        }
        for (const finding of view.run.findings) onEvent({ event: 'finding', finding });
        if (view.run.status === 'failed' && view.run.error) onEvent({ event: 'failed', error: view.run.error });
        else onEvent({ event: 'finished', run_id: view.run.id });
        history.set(view.run.id, cloneView(view));
        return view;
      } finally {
        running.delete(request.request_id);
      }
    },
    async cancelRun(requestId) {
      const r = running.get(requestId);
      if (!r) return false;
      r.cancelled = true;
      return true;
    },
    async historyList(limit) {
      const all = [...history.values()].map((v) => summarize(v.run));
      all.sort((a, b) => b.started_at - a.started_at || (a.id < b.id ? 1 : -1));
      return limit > 0 ? all.slice(0, limit) : all;
    },
    async historyLoad(id) {
      const v = history.get(id);
      if (!v) return reject('store.not-found', `no run with id ${id}`);
      return cloneView(v);
    },
    async profileValidate(toml) {
      return mockValidateProfile(toml);
    },
    // The mock's form is line-based (mock-form.ts); the desktop edits the TOML with toml_edit.
    async profileFormRead(toml) {
      return mockReadForm(toml);
    },
    async profileFormApply(toml, form) {
      try {
        return mockApplyForm(toml, form);
      } catch (e) {
        return reject('profile.syntax', (e as { message?: string }).message ?? 'not valid TOML');
      }
    },
    async profilesList(): Promise<SavedProfile[]> {
      return [...profiles.entries()].map(([name, toml]) => ({ name, toml }));
    },
    async profileSave(name, toml) {
      if (!/^[A-Za-z0-9 _.-]{1,64}$/.test(name)) reject('profile.bad-name', 'profile names use letters, digits, space, _ . - (at most 64)');
      const check = mockValidateProfile(toml);
      if (!check.ok && check.error) reject('profile.invalid', `line ${check.error.line}: ${check.error.message}`);
      profiles.set(name, toml);
    },
    async decodeToken(token) {
      return decodeJwtForDisplay(token);
    },
    async auditWeakSecret(request, onProgress) {
      if (request.audit_id.trim() === '') reject('request.invalid', 'the audit request needs an audit_id');
      if (audits.has(request.audit_id)) reject('audit.duplicate', `an audit with id \`${request.audit_id}\` is already going`);
      const state = { cancelled: false };
      audits.set(request.audit_id, state);
      try {
        return await mockAudit(request, onProgress, { tickMs: auditTickMs, isCancelled: () => state.cancelled });
      } finally {
        audits.delete(request.audit_id);
      }
    },
    async cancelAudit(auditId) {
      const a = audits.get(auditId);
      if (!a) return false;
      a.cancelled = true;
      return true;
    },
    async uiReady() {},
    boot() {
      return null;
    },

    async passwordStatus(toml) {
      return status(toml);
    },
    async passwordSave(toml, password) {
      const account = keychainAccount(toml);
      if (password === '') reject('keychain.invalid', 'an empty password is not kept');
      keychain.set(account, password);
      return status(toml);
    },
    async passwordForget(toml) {
      keychain.delete(keychainAccount(toml));
      return status(toml);
    },
    async referenceUrl(reference) {
      return mockReferenceUrl(reference) ?? reject('reference.unknown', `\`${reference.slice(0, 80)}\` is not a reference of the check catalogue`);
    },
    async openReference(reference) {
      // The browser preview opens nothing: the desktop hands the page to the system browser.
      return mockReferenceUrl(reference) ?? reject('reference.unknown', `\`${reference.slice(0, 80)}\` is not a reference of the check catalogue`);
    },
  };
}

export const mockBackend: Backend = createMockBackend();

export { DOWN_PROFILE_TOML };
