// JWT in depth: verification verdicts and claim checks on the token cards, the run's verification keys, the
// jwt-attacks and weak-secret results, the weak-secret audit tool against the mock, the run form's JWT secret,
// and hostile text in all of them.

import { fireEvent, render, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.svelte';
import ScenariosTab from '../src/components/ScenariosTab.svelte';
import TokenCard from '../src/components/TokenCard.svelte';
import TokensTab from '../src/components/TokensTab.svelte';
import { createMockBackend, LAB_CATALOGUE } from '../src/lib/mock';
import { measurementFacts, measurementHeadline } from '../src/lib/scenario-text';
import type { Credential, JwtVerification, KeySourceInfo, RunRequest, RunView, ScenarioResult } from '../src/lib/types';
import { fixture, setup } from './helpers';
import { PAYLOAD, PAYLOADS } from './hostile';

declare global {
  interface Window {
    __pwned?: number;
  }
}

/** jwt.io's example token: HS256, signed with `your-256-bit-secret`. */
const JWT_IO =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const ROCKYOU = '/usr/share/wordlists/rockyou.txt';

afterEach(() => {
  vi.useRealTimers();
});

function jwtCredential(v: RunView): Credential {
  const c = v.run.credentials.find((x) => x.jwt);
  if (!c) throw new Error('fixture without a JWT');
  return c;
}

const verified: JwtVerification = {
  signature: 'verified',
  alg: 'RS256',
  key: 'lab-rs256-2',
  key_source: 'JWKS https://127.0.0.1:18443/.well-known/jwks.json',
  detail: 'the RS256 signature matches key lab-rs256-2',
  claims: [
    { claim: 'exp', status: 'pass', detail: 'valid when captured; expires 300 s after issue' },
    { claim: 'aud', status: 'fail', detail: 'aud "other" is not the expected "authlens-lab"' },
    { claim: 'iss', status: 'info', detail: 'no issuer is expected' },
  ],
};

function card(credential: Credential, revealed = false, backend = createMockBackend()) {
  const { context } = setup(backend);
  return render(TokenCard, { props: { credential, now: credential.issued_at, revealed, onexchange: () => {} }, context });
}

describe('token verification', () => {
  it('shows the verdict badge with the key and its source, and the claim checks with their status', () => {
    const v = fixture('jwt');
    const c = jwtCredential(v);
    c.verification = verified;
    const r = card(c);
    const badge = r.container.querySelector('[data-signature]') as HTMLElement;
    expect(badge).toHaveTextContent('signature verified');
    expect(badge).toHaveClass('pass');
    expect(r.container.textContent).toContain('with key lab-rs256-2 from JWKS https://127.0.0.1:18443/.well-known/jwks.json');
    const table = r.getByRole('table');
    expect(within(table).getAllByRole('row').slice(1).map((row) => row.dataset.claim)).toEqual(['exp', 'aud', 'iss']);
    expect(table.querySelector('[data-claim="aud"] .status')).toHaveClass('fail');
    expect(table.querySelector('[data-claim="exp"] .status')).toHaveClass('pass');
    expect(table).toHaveTextContent('aud "other" is not the expected "authlens-lab"');
    expect(r.container.textContent).not.toContain('the signature is not verified');
  });

  it('says invalid, no key, unsupported, unsigned and malformed in words and colours', () => {
    const cases: [JwtVerification['signature'], string, string][] = [
      ['invalid', 'signature invalid', 'fail'],
      ['no-key', 'no key to verify', 'not-tested'],
      ['unsupported-alg', 'unsupported alg', 'warn'],
      ['unsigned', 'unsigned (alg none)', 'fail'],
      ['malformed', 'malformed', 'warn'],
    ];
    for (const [signature, words, colour] of cases) {
      const c = jwtCredential(fixture('jwt'));
      c.verification = { ...verified, signature, claims: [] };
      const r = card(c);
      const badge = r.container.querySelector('[data-signature]') as HTMLElement;
      expect(badge).toHaveTextContent(words);
      expect(badge).toHaveClass(colour);
      // Not verified: the key is the one tried.
      expect(r.container.textContent).toContain('tried with key lab-rs256-2');
      r.unmount();
    }
  });

  it('warns when the header names its own key, and says unverified tokens are for display only', () => {
    const c = jwtCredential(fixture('jwt'));
    c.verification = null;
    c.jwt = { ...c.jwt!, header: { alg: 'RS256', jku: 'https://attacker.example/jwks.json', jwk: { kty: 'RSA', e: 'AQAB', n: 'abc' } } };
    const r = card(c);
    const note = r.container.querySelector('.header-keys') as HTMLElement;
    expect(note).toHaveAttribute('role', 'note');
    expect(note).toHaveTextContent('The token names its own key (jwk, jku): never trusted by Authlens');
    expect(note).toHaveTextContent('https://attacker.example/jwks.json');
    expect(note).toHaveTextContent('{"kty":"RSA","e":"AQAB","n":"abc"}');
    expect(r.container.textContent).toContain('the signature is not verified');
    expect(r.container.querySelector('[data-signature]')).toBeNull();
  });
});

describe('verification keys panel', () => {
  const sources: KeySourceInfo[] = [
    { label: 'secret from $AUTHLENS_LAB_JWT_SECRET', kind: 'secret', kids: ['HMAC secret (no kid)'], problems: [], fetched_at: null, from_cache: false, rotation: null },
    {
      label: 'OIDC issuer https://127.0.0.1:18443/',
      kind: 'oidc',
      kids: ['lab-rs256-1', 'lab-rs256-2'],
      problems: ['skipped a key with kty "oct"'],
      fetched_at: Date.UTC(2026, 10, 22, 6, 30, 0),
      from_cache: true,
      rotation: { previous_fetch: Date.UTC(2026, 10, 22, 6, 25, 0), added: ['lab-rs256-2'], removed: ['lab-rs256-0'] },
    },
  ];

  it('lists each source with its kids, fetch, rotation and problems, above the tokens', () => {
    const v = fixture('jwt');
    v.run.jwt_keys = sources;
    const { context } = setup();
    const r = render(TokensTab, { props: { run: v.run }, context });
    const panel = r.getByRole('region', { name: /Verification keys/ });
    const items = panel.querySelectorAll('li.source');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent(/secret from \$AUTHLENS_LAB_JWT_SECRET\s*HMAC secret/);
    expect(items[1]).toHaveTextContent('OIDC discovery');
    expect(items[1]).toHaveTextContent('fetched 2026-11-22 06:30:00.000 (from the cache)');
    expect(items[1]).toHaveTextContent(/2 keys:\s*lab-rs256-1\s*lab-rs256-2/);
    expect(items[1]).toHaveTextContent('new key lab-rs256-2 since 2026-11-22 06:25:00.000');
    expect(items[1]).toHaveTextContent('removed lab-rs256-0 since 2026-11-22 06:25:00.000');
    expect(within(items[1] as HTMLElement).getByRole('list', { name: /Problems/ })).toHaveTextContent('skipped a key with kty "oct"');
    // The panel comes before the cards.
    const first = r.container.querySelector('.scroll')?.firstElementChild;
    expect(first).toBe(panel);
  });

  it('is not there without keys', () => {
    const v = fixture('jwt');
    const { context } = setup();
    const r = render(TokensTab, { props: { run: v.run }, context });
    expect(r.queryByRole('region', { name: /Verification keys/ })).toBeNull();
  });
});

function forgery(attack: string, verdict: 'accepted' | 'rejected', extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'jwt-attacks',
    credential_id: 1,
    subject: `access #1 · ${attack}`,
    replica: null,
    status: verdict === 'accepted' ? 'fail' : 'pass',
    severity: 'critical',
    summary: `${verdict} ${attack}`,
    check_id: 'jwt.alg-none',
    measurement: { kind: 'forgery', attack, variant: 'alg "nOnE"', token: '{"alg":"nOnE","typ":"JWT"}.‹eyJzdW… #1a2b3c4d5e6f›.', verdict, http_status: verdict === 'accepted' ? 200 : 401, exchange_id: 7 },
    ...extra,
  };
}

const weakFound: ScenarioResult = {
  scenario: 'weak-secret',
  credential_id: 1,
  subject: 'access #1',
  replica: null,
  status: 'fail',
  severity: 'critical',
  summary: 'access #1 is signed with a guessable HS256 secret',
  check_id: 'jwt.weak-secret',
  measurement: { kind: 'weak-secret', alg: 'HS256', outcome: 'found', tried: 3, elapsed_ms: 2, per_sec: 1500, sources: ['blank secret', 'built-in list'], found_in: 'built-in list', line: 2, secret: 'yo…' },
};

describe('jwt-attacks and weak-secret results', () => {
  function tab(results: ScenarioResult[]) {
    const v = fixture('jwt');
    v.run.results = results;
    v.run.scenarios = ['lifecycle', 'jwt-attacks'];
    const s = setup();
    s.app.current = v;
    const r = render(ScenariosTab, { props: { run: v.run }, context: s.context });
    return { r, app: s.app };
  }

  it('shows ACCEPTED in red and rejected in green, the HTTP status, the forged token as text, and links the exchange', async () => {
    const { r, app } = tab([forgery('alg-none', 'accepted'), forgery('tampered-payload', 'rejected')]);
    const [bad, good] = [...r.container.querySelectorAll('article[data-kind="forgery"]')] as HTMLElement[];
    expect(bad).toHaveTextContent('alg none (no signature)');
    const accepted = bad.querySelector('.verdict') as HTMLElement;
    expect(accepted).toHaveTextContent('ACCEPTED');
    expect(accepted).toHaveClass('accepted');
    expect(bad).toHaveTextContent('HTTP 200');
    expect(bad).toHaveTextContent(/Variant\s*alg "nOnE"/);
    const token = within(bad).getByLabelText('Forged token');
    expect(token.tagName).toBe('PRE');
    expect(token).toHaveTextContent('{"alg":"nOnE","typ":"JWT"}.‹eyJzdW… #1a2b3c4d5e6f›.');
    expect(bad).toHaveTextContent('payload and signature masked');
    const rejected = good.querySelector('.verdict') as HTMLElement;
    expect(rejected).toHaveTextContent('rejected');
    expect(rejected).toHaveClass('rejected');
    expect(good).toHaveTextContent('tampered payload (signature kept)');
    expect(good).toHaveTextContent('HTTP 401');
    await fireEvent.click(within(bad).getByRole('button', { name: 'exchange #7' }));
    expect(app.selectedExchange).toBe(7);
    expect(app.tab).toBe('exchanges');
  });

  it('says why an attack was not tested, without an empty verdict', () => {
    const empty = forgery('', 'rejected', { status: 'not-tested', summary: 'no public key of the server is known: nothing to confuse', check_id: 'jwt.key-confusion' });
    if (empty.measurement.kind === 'forgery') Object.assign(empty.measurement, { variant: '', token: '', verdict: 'inconclusive', http_status: null, exchange_id: null });
    const { r } = tab([empty]);
    const item = r.container.querySelector('article[data-kind="forgery"]') as HTMLElement;
    expect(item).toHaveTextContent(/not tested/i);
    expect(item.querySelector('.headline')).toBeNull();
    expect(item).toHaveTextContent('no public key of the server is known');
    expect(item.querySelector('.verdict')).toBeNull();
    expect(within(item).queryByLabelText('Forged token')).toBeNull();
  });

  it('shows where a weak secret was found, shortened, with the speed of the search', () => {
    const { r } = tab([weakFound]);
    const item = r.container.querySelector('article[data-kind="weak-secret"]') as HTMLElement;
    expect(item).toHaveTextContent('HS256 secret found: line 2 of the built-in list');
    expect(item).toHaveTextContent(/Secret\s*yo…/);
    expect(item).toHaveTextContent(/Tried\s*3 candidates/);
    expect(item).toHaveTextContent(/Elapsed\s*2 ms/);
    expect(item).toHaveTextContent(/Speed\s*1.5 k candidates\/s/);
    expect(item).toHaveTextContent(/Searched\s*blank secret, built-in list/);
  });

  it('words the other audit outcomes', () => {
    const m = (outcome: string, tried: number) => ({ ...weakFound.measurement, outcome, tried, found_in: null, line: null, secret: null }) as ScenarioResult['measurement'];
    expect(measurementHeadline(m('not-found', 14_344_943))).toBe('HS256 secret not among 14,344,943 candidates');
    expect(measurementHeadline(m('timed-out', 2_000_000))).toBe('HS256 secret not among the first 2,000,000 candidates (time limit)');
    expect(measurementHeadline(m('cancelled', 12))).toBe('cancelled after 12 candidates');
    expect(measurementHeadline(m('error', 0))).toBe('HS256 secret not audited');
    expect(measurementFacts(m('not-found', 1)).map(([k]) => k)).not.toContain('Secret');
  });
});

describe('mock backend: JWT in depth', () => {
  async function labRun(flaws: string[], scenarios: string[], reveal = false) {
    const request: RunRequest = { request_id: `j-${flaws.join()}`, target: { kind: 'lab', mode: 'jwt', flaws }, scenarios, reveal };
    return createMockBackend().startRun(request, () => {});
  }

  it('lists jwt-attacks as opt-in, and the JWT flaws for the token modes', () => {
    const doc = LAB_CATALOGUE.scenarios.find((s) => s.name === 'jwt-attacks');
    expect(doc).toMatchObject({ opt_in: true, default: false });
    const flaw = LAB_CATALOGUE.flaws.find((f) => f.name === 'alg-none-accepted');
    expect(flaw?.modes).toEqual(['jwt', 'hybrid']);
  });

  it('forges tokens, accepted only where a flaw says so; audits the secret; verifies every JWT', async () => {
    const view = await labRun(['alg-none-accepted', 'weak-secret'], ['lifecycle', 'jwt-attacks']);
    const forged = view.run.results.filter((r) => r.measurement.kind === 'forgery' && r.measurement.attack !== '');
    const accepted = forged.filter((r) => r.measurement.kind === 'forgery' && r.measurement.verdict === 'accepted');
    expect(accepted.map((r) => r.measurement.kind === 'forgery' && r.measurement.variant)).toEqual(['alg "none"', 'alg "None"', 'alg "NONE"', 'alg "nOnE"']);
    expect(forged.length).toBeGreaterThan(accepted.length);
    expect(view.run.findings.find((f) => f.check_id === 'jwt.alg-none')?.status).toBe('fail');
    expect(view.run.findings.find((f) => f.check_id === 'jwt.signature-checked')?.status).toBe('pass');
    // Redacted: the header readable, the rest masked.
    const token = accepted[0].measurement.kind === 'forgery' ? accepted[0].measurement.token : '';
    expect(token).toMatch(/^\{"alg":"none","typ":"JWT"\}\.‹.{6}… #[0-9a-f]{12}›\.$/);
    const weak = view.run.results.find((r) => r.scenario === 'weak-secret');
    expect(weak?.measurement).toMatchObject({ outcome: 'found', found_in: 'built-in list', secret: 'yo…' });
    expect(view.run.credentials.filter((c) => c.jwt).every((c) => c.verification?.signature === 'verified')).toBe(true);
    expect(view.run.jwt_keys.map((k) => k.kind)).toEqual(['secret', 'oidc', 'secret']);
  });

  it('signs with a key pair when asked: kid verified from the OIDC key set, key confusion tried, no secret to audit', async () => {
    const request: RunRequest = {
      request_id: 'rs',
      target: { kind: 'lab', mode: 'jwt', flaws: ['key-confusion'], signing: 'rs256' },
      scenarios: ['lifecycle', 'jwt-attacks'],
      reveal: false,
    };
    const view = await createMockBackend().startRun(request, () => {});
    const access = view.run.credentials.find((c) => c.jwt);
    expect(access?.verification).toMatchObject({ signature: 'verified', alg: 'RS256', key: 'lab-rs256-1', key_source: expect.stringMatching(/^OIDC issuer https:/) });
    expect(view.run.jwt_keys.find((k) => k.kind === 'oidc')?.kids).toEqual(['lab-rs256-1']);
    const confusion = view.run.results.find((r) => r.check_id === 'jwt.key-confusion');
    expect(confusion?.measurement).toMatchObject({ kind: 'forgery', attack: 'key-confusion', verdict: 'accepted' });
    expect(view.run.results.some((r) => r.scenario === 'weak-secret')).toBe(false);
  });

  it('audits HMAC secrets even in a default run, and forges nothing without the scenario', async () => {
    const view = await labRun([], ['lifecycle', 'rotation']);
    expect(view.run.results.map((r) => [r.scenario, r.status])).toEqual([['weak-secret', 'pass']]);
    expect(view.run.results.some((r) => r.scenario === 'jwt-attacks')).toBe(false);
  });
});

describe('run form', () => {
  beforeEach(() => localStorage.clear());

  it('lists jwt-attacks with its opt-in badge from the catalogue', async () => {
    const r = render(App, { props: { backend: createMockBackend() } });
    const box = await r.findByRole('checkbox', { name: /^jwt-attacks\b/ });
    expect(box).not.toBeChecked();
    expect(box.closest('label')).toHaveTextContent(/jwt-attacks\s*opt-in\s*send forged JWTs/);
  });

  it('offers the lab signing modes for the token modes and sends the one picked', async () => {
    const backend = createMockBackend();
    const spy = vi.spyOn(backend, 'startRun');
    const r = render(App, { props: { backend } });
    await r.findByRole('button', { name: /Run the lab in session mode/ });
    expect(r.queryByRole('combobox', { name: /Token signing/ })).toBeNull();
    await fireEvent.click(r.getByRole('radio', { name: /^jwt\b/ }));
    const select = r.getByRole('combobox', { name: /Token signing/ }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['HS256', 'RS256', 'ES256', 'EdDSA']);
    expect(select.value).toBe('hs256');
    await fireEvent.change(select, { target: { value: 'es256' } });
    expect(r.getByText(/ES256: a P-256 key pair/)).toBeInTheDocument();
    await fireEvent.click(r.getByRole('button', { name: /Run the lab in jwt mode/ }));
    await waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    expect(spy.mock.calls[0][0].target).toMatchObject({ kind: 'lab', mode: 'jwt', signing: 'es256' });
  });

  it('sends the JWT secret with a profile run only when given, and keeps it nowhere', async () => {
    const backend = createMockBackend();
    const spy = vi.spyOn(backend, 'startRun');
    const r = render(App, { props: { backend } });
    const select = (await r.findByRole('combobox', { name: 'Profile' })) as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'lab-jwt' } });
    const secret = r.getByLabelText('JWT secret (verification)') as HTMLInputElement;
    expect(secret.type).toBe('password');
    await fireEvent.input(r.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.input(secret, { target: { value: 'hunter2-signing-key' } });
    await fireEvent.click(r.getByRole('button', { name: 'Run profile' }));
    await waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    expect(spy.mock.calls[0][0]).toMatchObject({ target: { kind: 'profile' }, jwt_secret: 'hunter2-signing-key' });
    expect(secret.value).toBe('');
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(document.body.textContent).not.toContain('hunter2-signing-key');
    expect([...document.querySelectorAll('input')].some((i) => i.value === 'hunter2-signing-key')).toBe(false);
    r.unmount();

    // Without one: no jwt_secret key at all.
    const backend2 = createMockBackend();
    const spy2 = vi.spyOn(backend2, 'startRun');
    const r2 = render(App, { props: { backend: backend2 } });
    await fireEvent.change(await r2.findByRole('combobox', { name: 'Profile' }), { target: { value: 'lab-jwt' } });
    await fireEvent.input(r2.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.click(r2.getByRole('button', { name: 'Run profile' }));
    await waitFor(() => expect(spy2).toHaveBeenCalledTimes(1));
    expect('jwt_secret' in spy2.mock.calls[0][0]).toBe(false);
  });
});

describe('weak-secret audit tool', () => {
  function hmacCard(backend = createMockBackend(), revealed = false) {
    const c = jwtCredential(fixture('jwt'));
    if (revealed) c.value = JWT_IO;
    return card(c, revealed, backend);
  }

  it('says to paste the token when the run is redacted, and finds a built-in secret, masked until shown', async () => {
    const r = hmacCard();
    const form = r.getByRole('form', { name: /Weak-secret audit of access #1/ });
    expect(form).toHaveTextContent('This run\'s token values are redacted');
    const start = within(form).getByRole('button', { name: 'Start audit' });
    expect(start).toBeDisabled();
    await fireEvent.input(within(form).getByRole('textbox', { name: 'Token' }), { target: { value: JWT_IO } });
    await fireEvent.click(start);
    const result = await waitFor(() => {
      const el = form.querySelector('[data-outcome]');
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    expect(result.dataset.outcome).toBe('found');
    expect(result).toHaveTextContent('HS256 secret found: line 2 of the built-in list');
    expect(result).not.toHaveTextContent('your-256-bit-secret');
    expect(within(result).getByLabelText('Secret (hidden)')).toHaveTextContent('•'.repeat(16));
    await fireEvent.click(within(result).getByRole('button', { name: 'Show' }));
    expect(within(result).getByLabelText('Secret')).toHaveTextContent('your-256-bit-secret');
    expect(within(result).getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('starts from the value of a revealed run, streams progress over a wordlist, then says not found', async () => {
    const backend = createMockBackend({ auditTickMs: 20 });
    const r = hmacCard(backend, true);
    const form = r.getByRole('form', { name: /Weak-secret audit/ });
    expect(form).not.toHaveTextContent('redacted');
    expect(within(form).getByRole('textbox', { name: 'Token' })).toHaveValue(JWT_IO);
    await fireEvent.click(within(form).getByRole('checkbox', { name: /Built-in list/ }));
    await fireEvent.input(within(form).getByRole('textbox', { name: 'Wordlist path 1' }), { target: { value: ROCKYOU } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    await within(form).findByRole('progressbar', { name: 'Audit progress' });
    // Indeterminate until the first report says how far through the wordlists it is.
    await waitFor(() => expect((within(form).getByRole('progressbar') as HTMLProgressElement).value).toBeGreaterThan(0));
    const status = within(form).getAllByRole('status')[0];
    expect(status).toHaveTextContent(/[\d,]+ tried · [\d.]+ [kM] candidates\/s · .* reading \/usr\/share\/wordlists\/rockyou.txt/);
    expect(status).toHaveTextContent(/\d+%/);
    const result = await waitFor(
      () => {
        const el = form.querySelector('[data-outcome]');
        expect(el).not.toBeNull();
        return el as HTMLElement;
      },
      { timeout: 5000 },
    );
    expect(result.dataset.outcome).toBe('not-found');
    expect(result).toHaveTextContent(/Not found: none of the 14,344,\d{3} candidates signs this token/);
    expect(result).toHaveTextContent(`from blank secret, ${ROCKYOU}`);
    expect(within(form).queryByRole('progressbar')).toBeNull();
  });

  it('cancels, and stops the audit when the view goes away', async () => {
    const backend = createMockBackend({ auditTickMs: 100 });
    const cancel = vi.spyOn(backend, 'cancelAudit');
    const r = hmacCard(backend, true);
    const form = r.getByRole('form', { name: /Weak-secret audit/ });
    await fireEvent.input(within(form).getByRole('textbox', { name: 'Wordlist path 1' }), { target: { value: ROCKYOU } });
    await fireEvent.click(within(form).getByRole('checkbox', { name: /Built-in list/ }));
    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    await fireEvent.click(await within(form).findByRole('button', { name: 'Cancel' }));
    const result = await waitFor(() => {
      const el = form.querySelector('[data-outcome]');
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    expect(result.dataset.outcome).toBe('cancelled');
    expect(result).toHaveTextContent(/Cancelled after [\d,]+ candidates/);
    expect(cancel).toHaveBeenCalledTimes(1);

    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    await tick();
    r.unmount();
    expect(cancel).toHaveBeenCalledTimes(2);
  });

  it('reports what it cannot audit, and a time limit', async () => {
    const r = hmacCard(createMockBackend(), true);
    const form = r.getByRole('form', { name: /Weak-secret audit/ });
    await fireEvent.input(within(form).getByRole('textbox', { name: 'Wordlist path 1' }), { target: { value: '/nope.txt' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('weak-secret.wordlist cannot read the wordlist /nope.txt');

    await fireEvent.input(within(form).getByRole('textbox', { name: 'Wordlist path 1' }), { target: { value: ROCKYOU } });
    await fireEvent.click(within(form).getByRole('checkbox', { name: /Built-in list/ }));
    await fireEvent.input(within(form).getByRole('spinbutton', { name: 'Time limit in seconds' }), { target: { value: '2' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    const result = await waitFor(() => {
      const el = form.querySelector('[data-outcome]');
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    expect(result.dataset.outcome).toBe('timed-out');
    expect(within(form).queryByRole('alert')).toBeNull();

    await fireEvent.input(within(form).getByRole('textbox', { name: 'Token' }), { target: { value: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('weak-secret.not-hmac RS256 is not an HMAC algorithm');
  });

  it('is only offered for HMAC tokens', () => {
    const c = jwtCredential(fixture('jwt'));
    c.jwt = { ...c.jwt!, alg: 'RS256' };
    const r = card(c);
    expect(r.queryByRole('form', { name: /Weak-secret audit/ })).toBeNull();
  });
});

describe('hostile text in JWT views renders as text only', () => {
  beforeEach(() => {
    delete window.__pwned;
  });

  function assertInert(root: HTMLElement) {
    expect(window.__pwned).toBeUndefined();
    expect(root.querySelectorAll('img, script, iframe, object, embed, foreignObject, svg, a').length).toBe(0);
    for (const el of root.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        expect(attr.name.startsWith('on'), `${el.tagName} has ${attr.name}`).toBe(false);
        expect(/^\s*javascript:/i.test(attr.value), `${el.tagName} ${attr.name}=${attr.value}`).toBe(false);
      }
    }
    expect(root.textContent).toContain('<img src=x onerror="window.__pwned=1">');
  }

  it('forged tokens, variants, weak secrets and their sources', async () => {
    const v = fixture('jwt');
    const f = forgery('alg-none', 'accepted', { summary: PAYLOAD, subject: PAYLOAD });
    if (f.measurement.kind === 'forgery') Object.assign(f.measurement, { token: `${PAYLOADS[0]}.${PAYLOAD}.`, variant: PAYLOAD });
    const odd = forgery(PAYLOAD, 'rejected');
    const w: ScenarioResult = { ...weakFound, summary: PAYLOAD };
    if (w.measurement.kind === 'weak-secret') Object.assign(w.measurement, { secret: PAYLOADS[0], found_in: PAYLOAD, sources: [PAYLOAD], alg: PAYLOAD });
    v.run.results = [f, odd, w];
    const { context } = setup();
    const r = render(ScenariosTab, { props: { run: v.run }, context });
    await tick();
    assertInert(r.container);
    expect(within(r.container).getAllByLabelText('Forged token')[0].textContent).toContain('<img src=x onerror="window.__pwned=1">.');
  });

  it('verification details, header keys and key sources', async () => {
    const v = fixture('jwt');
    const c = jwtCredential(v);
    c.verification = {
      signature: 'invalid',
      alg: PAYLOAD,
      key: PAYLOAD,
      key_source: PAYLOAD,
      detail: PAYLOAD,
      claims: [{ claim: PAYLOAD, status: 'fail', detail: PAYLOAD }],
    };
    c.jwt = { ...c.jwt!, header: { alg: 'HS256', jku: PAYLOAD, x5u: PAYLOADS[3], jwk: { n: PAYLOAD } } };
    v.run.jwt_keys = [
      { label: PAYLOAD, kind: PAYLOAD, kids: [PAYLOAD], problems: [PAYLOAD], fetched_at: 1, from_cache: true, rotation: { previous_fetch: 0, added: [PAYLOAD], removed: [PAYLOAD] } },
    ];
    const { context } = setup();
    const r = render(TokensTab, { props: { run: v.run }, context });
    await tick();
    assertInert(r.container);
    expect(r.getAllByRole('note')[0]).toHaveTextContent('<img src=x onerror=');
  });

  it('an audit result found in a hostile wordlist', async () => {
    const backend = createMockBackend();
    backend.auditWeakSecret = async (_req, onProgress) => {
      onProgress({ tried: 1, elapsed_ms: 1, per_sec: 1, source: PAYLOAD, bytes_done: 0, bytes_total: null });
      return { alg: PAYLOAD, outcome: { type: 'found', secret: PAYLOADS[0], secret_len: 40, source: PAYLOAD, line: 3 }, tried: 1, elapsed_ms: 1, per_sec: 1, sources: [PAYLOAD] };
    };
    const c = jwtCredential(fixture('jwt'));
    const r = card(c, false, backend);
    const form = r.getByRole('form', { name: /Weak-secret audit/ });
    await fireEvent.input(within(form).getByRole('textbox', { name: 'Token' }), { target: { value: JWT_IO } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Start audit' }));
    await fireEvent.click(await within(form).findByRole('button', { name: 'Show' }));
    assertInert(form);
  });
});
