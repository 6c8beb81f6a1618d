// JWT in depth for the mock backend: the jwt-attacks scenario (forged tokens sent to the probe, accepted
// only where a lab flaw says so), the weak-secret audit result after the scenarios, and every JWT verified
// against the keys a lab profile's `[jwt]` section names. Made-up but consistent with the fixtures: the lab
// signs HS256 without kid, its OIDC key set is empty, `weak-secret` makes its secret jwt.io's example.

import type { Builder } from './mock-scenarios';
import type { ClaimCheck, Credential, JsonValue, JwtVerification, KeySourceInfo, Measurement, RunRequest, RunView, ScenarioResult, Severity, Status, Verdict } from './types';

/** The lab's JWT flaws (crates/lab), for the jwt and hybrid modes. */
export const JWT_FLAWS: { name: string; description: string }[] = [
  { name: 'alg-none-accepted', description: 'Access JWTs with alg "none" (in any letter case) and an empty signature are accepted, so anyone can write their own claims.' },
  { name: 'signature-not-verified', description: "The access JWT's signature is never checked (alg and kid still are): an edited payload, a stripped or a truncated signature is accepted." },
  { name: 'weak-secret', description: "HS256 signing uses the secret `your-256-bit-secret` (jwt.io's example), which any wordlist finds in seconds; with other signing modes it changes nothing." },
  { name: 'key-confusion', description: "With RS256, ES256 or EdDSA signing, HS256 tokens whose HMAC secret is the lab's public key PEM (/.well-known/public-key.pem) are accepted too, so anyone can sign; with HS256 signing it changes nothing." },
  { name: 'no-aud-check', description: "The access JWT's aud claim is not checked, so a token minted for another service is accepted (signature, iss and expiry still are)." },
  { name: 'psychic-signature', description: 'With ES256 signing, ECDSA verification skips its range check, so the all-zero signature (r = s = 0, CVE-2022-21449) passes for any token; with other signing modes it changes nothing.' },
  { name: 'header-keys-trusted', description: 'The token picks its own key: an embedded jwk header is used to verify it, and an unknown kid is read as a file path (kid ../../../dev/null: an empty HS256 key).' },
];

const SCENARIO = 'jwt-attacks';
const CHECKS = ['jwt.signature-checked', 'jwt.alg-none', 'jwt.key-confusion', 'jwt.psychic', 'jwt.header-keys'];
export const LAB_SECRET_SOURCE = 'secret from $AUTHLENS_LAB_JWT_SECRET';
const FOUND_SOURCE = 'secret found by the weak-secret audit';
const WEAK_SECRET = 'your-256-bit-secret';

const isHmac = (c: Credential) => !!c.jwt && /^HS(256|384|512)$/.test(c.jwt.alg ?? '');

function b64(s: string): string {
  let bin = '';
  for (const x of new TextEncoder().encode(s)) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A stand-in fingerprint: 12 hex digits, deterministic. */
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  let g = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    g = Math.imul(g ^ s.charCodeAt(i), 0x811c9dc5) >>> 0;
  }
  return (h.toString(16).padStart(8, '0') + g.toString(16).padStart(8, '0')).slice(0, 12);
}

const mask = (segment: string) => `‹${segment.slice(0, 6)}… #${fingerprint(segment)}›`;

/** As the core's `forge::redacted`: the header readable, payload and signature masked, an empty signature left empty. */
function redacted(header: JsonValue, payload: string, signature: string): string {
  return `${JSON.stringify(header)}.${mask(payload)}.${signature ? mask(signature) : ''}`;
}

interface Forged {
  attack: string;
  check: string;
  variant: string;
  description: string;
  header: JsonValue;
  claims: JsonValue;
  signature: string;
  accepted: boolean;
}

function forgeries(cred: Credential, flaws: string[], secretKnown: boolean, signing: string): Forged[] {
  const header = (cred.jwt?.header ?? { alg: 'HS256', typ: 'JWT' }) as Record<string, JsonValue>;
  const claims = (cred.jwt?.claims ?? {}) as Record<string, JsonValue>;
  const sig = b64(`original signature of ${cred.fingerprint}`).slice(0, 43);
  const unsigned = flaws.includes('signature-not-verified');
  const out: Forged[] = [
    { attack: 'tampered-payload', check: 'jwt.signature-checked', variant: 'payload edited (sub "user:admin"), signature kept', description: 'an edited payload under the original signature: accepting it means the signature is not checked', header, claims: { ...claims, sub: 'user:admin' }, signature: sig, accepted: unsigned },
    { attack: 'stripped-signature', check: 'jwt.signature-checked', variant: 'signature removed', description: 'the token without its signature', header, claims, signature: '', accepted: unsigned },
    { attack: 'truncated-signature', check: 'jwt.signature-checked', variant: 'signature cut to half its length', description: 'the token with half a signature', header, claims, signature: sig.slice(0, 21), accepted: unsigned },
    ...['none', 'None', 'NONE', 'nOnE'].map((alg) => ({
      attack: 'alg-none',
      check: 'jwt.alg-none',
      variant: `alg "${alg}"`,
      description: 'an unsigned token: accepting it lets anyone write their own claims',
      header: { alg, typ: 'JWT' },
      claims,
      signature: '',
      accepted: flaws.includes('alg-none-accepted'),
    })),
    { attack: 'psychic', check: 'jwt.psychic', variant: 'alg ES256, signature of 64 zero bytes (r = s = 0)', description: 'the psychic signature (CVE-2022-21449)', header: { alg: 'ES256', typ: 'JWT' }, claims, signature: 'A'.repeat(86), accepted: signing === 'es256' && flaws.includes('psychic-signature') },
    { attack: 'embedded-jwk', check: 'jwt.header-keys', variant: 'RS256, signed with the RSA key in its own jwk header', description: 'a token that brings the key it is signed with', header: { alg: 'RS256', typ: 'JWT', jwk: { kty: 'RSA', e: 'AQAB', n: 'u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw' } }, claims, signature: sig, accepted: flaws.includes('header-keys-trusted') },
    { attack: 'kid-traversal', check: 'jwt.header-keys', variant: 'kid "../../../../../../dev/null", HS256 with an empty key', description: 'a kid read as a file path: /dev/null is an empty HMAC key', header: { alg: 'HS256', typ: 'JWT', kid: '../../../../../../dev/null' }, claims, signature: sig, accepted: flaws.includes('header-keys-trusted') },
  ];
  if (signing !== 'hs256') {
    out.push({ attack: 'key-confusion', check: 'jwt.key-confusion', variant: `HS256 with the ${alg(signing)} public key PEM as the secret`, description: 'an HS256 token keyed with the public key: accepting it lets anyone sign', header: { alg: 'HS256', typ: 'JWT', kid: header.kid ?? null }, claims, signature: sig, accepted: flaws.includes('key-confusion') });
  }
  if (secretKnown && signing === 'hs256') {
    out.push({ attack: 'wrong-audience', check: 'jwt.audience', variant: 'aud `authlens-other-audience`, re-signed with the known secret', description: 'a validly signed token for another audience: accepting it means aud is not checked', header, claims: { ...claims, aud: 'authlens-other-audience' }, signature: sig, accepted: flaws.includes('no-aud-check') });
  }
  return out;
}

function notTested(cred: Credential | null, check: string, why: string): ScenarioResult {
  const m: Measurement = { kind: 'forgery', attack: '', variant: '', token: '', verdict: 'inconclusive', http_status: null, exchange_id: null };
  return { scenario: SCENARIO, credential_id: cred?.id ?? null, subject: cred?.label ?? 'JWT', replica: null, status: 'not-tested', severity: 'critical', summary: why, check_id: check, measurement: m };
}

/** The JWS alg of a lab signing mode. */
export const alg = (signing: string): string => (signing === 'eddsa' ? 'EdDSA' : signing.toUpperCase());

/** The jwt-attacks scenario: log in, probe, then each forged token once in place of the access JWT. */
export function jwtAttacks(b: Builder, flaws: string[], reveal: boolean, secretKnown: boolean, signing: string): void {
  const jwt = b.run.credentials.some((c) => c.jwt && c.jwt.claims);
  const { cred, events } = b.login(SCENARIO, false, 1, (c) => !!c.jwt && c.kind === 'access');
  b.batch(...events, ...b.probe(cred, 'accepted', 'flow', 'probe after login'));
  if (!jwt || !cred.jwt) {
    b.batch(...CHECKS.map((check) => b.result(notTested(null, check, 'the probe sends no signed JWT to forge (no JWS among its credentials)'))));
    return;
  }
  b.batch(b.stepStarted(SCENARIO, 'probe', 'send forged tokens'), ...b.probe(cred, 'accepted', 'forged-token', `replay ${cred.label} unmodified (baseline)`));
  if (signing === 'hs256') {
    b.batch(b.result(notTested(cred, 'jwt.key-confusion', 'no public key of the server is known ([jwt] public_key, jwks_url or oidc_issuer): nothing to confuse')));
  }
  for (const f of forgeries(cred, flaws, secretKnown, signing)) {
    const verdict: Verdict = f.accepted ? 'accepted' : 'rejected';
    const captured = b.probe(cred, verdict, 'forged-token', `forged: ${f.variant}`);
    const ex = b.run.exchanges.at(-1);
    const payload = b64(JSON.stringify(f.claims));
    const token = reveal ? `${b64(JSON.stringify(f.header))}.${payload}.${f.signature}` : redacted(f.header, payload, f.signature);
    const status: Status = f.accepted ? 'fail' : 'pass';
    const severity: Severity = f.check === 'jwt.audience' ? 'high' : 'critical';
    const summary = f.accepted ? `ACCEPTED ${f.variant} (${cred.label}): ${f.description}` : `rejected ${f.variant} (${cred.label})`;
    const m: Measurement = { kind: 'forgery', attack: f.attack, variant: f.variant, token, verdict, http_status: ex?.hops[0]?.response?.status ?? null, exchange_id: ex?.id ?? null };
    b.batch(...captured, b.result({ scenario: SCENARIO, credential_id: cred.id, subject: `${cred.label} · ${f.variant}`, replica: null, status, severity, summary, check_id: f.check, measurement: m }));
  }
}

/** Whether the run's JWTs are verified: lab runs in the token modes, profiles with a [jwt] section or a secret given. */
export function verifiesJwts(request: RunRequest): boolean {
  const t = request.target;
  if (t.kind === 'lab') return t.mode === 'jwt' || t.mode === 'hybrid';
  return /^\[jwt\]/m.test(t.toml) || !!request.jwt_secret;
}

/** The offline audit of each HMAC JWT's secret (one per credential name), as the core runs after the scenarios. */
export function weakSecret(b: Builder, flaws: string[], reveal: boolean): void {
  const seen = new Set<string>();
  for (const c of b.run.credentials.filter(isHmac)) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const alg = c.jwt?.alg ?? 'HS256';
    const weak = flaws.includes('weak-secret');
    const sources = ['blank secret', 'built-in list'];
    const base = { scenario: 'weak-secret', credential_id: c.id, subject: c.label, replica: null, severity: 'critical' as const, check_id: 'jwt.weak-secret' };
    let r: ScenarioResult;
    if (weak) {
      const shown = reveal ? WEAK_SECRET : 'yo…';
      const m: Measurement = { kind: 'weak-secret', alg, outcome: 'found', tried: 3, elapsed_ms: 1, per_sec: 3000, sources, found_in: 'built-in list', line: 2, secret: shown };
      r = { ...base, status: 'fail', summary: `${c.label} is signed with a guessable ${alg} secret: \`${shown}\` (${WEAK_SECRET.length} characters), line 2 of the built-in list: anyone can sign tokens`, measurement: m };
    } else {
      const m: Measurement = { kind: 'weak-secret', alg, outcome: 'not-found', tried: 551, elapsed_ms: 4, per_sec: 137_750, sources, found_in: null, line: null, secret: null };
      r = { ...base, status: 'pass', summary: `the ${alg} secret of ${c.label} is none of 551 candidates from ${sources.join(', ')}`, measurement: m };
    }
    b.batch(b.result(r));
  }
}

function claimChecks(c: Credential): ClaimCheck[] {
  const jwt = c.jwt;
  if (!jwt) return [];
  const claims = (jwt.claims ?? {}) as Record<string, JsonValue>;
  const out: ClaimCheck[] = [];
  if (jwt.exp === null) out.push({ claim: 'exp', status: 'warn', detail: 'no exp: the token never expires' });
  else if (jwt.exp * 1000 < c.issued_at) out.push({ claim: 'exp', status: 'fail', detail: 'already expired when captured' });
  else out.push({ claim: 'exp', status: 'pass', detail: `valid when captured; expires ${Math.round(jwt.exp - c.issued_at / 1000)} s after issue` });
  if (jwt.nbf !== null) out.push({ claim: 'nbf', status: jwt.nbf * 1000 <= c.issued_at + 60_000 ? 'pass' : 'fail', detail: 'usable from its issue time' });
  const aud = claims.aud;
  out.push(
    aud === 'authlens-lab'
      ? { claim: 'aud', status: 'pass', detail: 'aud "authlens-lab" is the expected audience' }
      : { claim: 'aud', status: 'fail', detail: aud === undefined ? 'no aud, but audience "authlens-lab" is expected' : `aud ${JSON.stringify(aud)} is not the expected "authlens-lab"` },
  );
  const iss = claims.iss;
  out.push({ claim: 'iss', status: 'info', detail: typeof iss === 'string' ? `iss "${iss}" (no issuer is expected: [jwt] issuer is not set)` : 'no iss' });
  out.push({ claim: 'typ', status: 'info', detail: jwt.typ ? `typ "${jwt.typ}" (no token type is expected)` : 'no typ header' });
  return out;
}

function verification(c: Credential, found: boolean, oidc: string): JwtVerification | null {
  if (!c.jwt) return null;
  const alg = c.jwt.alg;
  const claims = claimChecks(c);
  if (alg && c.jwt.kid && /^(RS256|ES256|EdDSA)$/.test(alg)) {
    return { signature: 'verified', alg, key: c.jwt.kid, key_source: oidc, detail: `the ${alg} signature matches key ${c.jwt.kid}`, claims };
  }
  if (!alg || /^none$/i.test(alg)) return { signature: 'unsigned', alg, key: null, key_source: null, detail: 'alg none: there is no signature to verify', claims };
  if (!/^HS(256|384|512)$/.test(alg)) return { signature: 'no-key', alg, key: c.jwt.kid, key_source: null, detail: `no configured key fits ${alg}${c.jwt.kid ? ` and kid ${c.jwt.kid}` : ''}`, claims };
  return {
    signature: 'verified',
    alg,
    key: 'HMAC secret (no kid)',
    key_source: found ? FOUND_SOURCE : LAB_SECRET_SOURCE,
    detail: `the ${alg} signature matches the HMAC secret`,
    claims,
  };
}

const originOf = (view: RunView) => new URL(view.run.targets[0] ?? 'https://127.0.0.1:8443/').origin;

/**
 * The key sources of a lab profile's [jwt] section: the secret, and the OIDC issuer's key set (empty in
 * HS256, the lab's public key otherwise).
 */
function keySources(view: RunView, found: boolean, signing: string): KeySourceInfo[] {
  const origin = originOf(view);
  if (signing !== 'hs256') {
    return [
      { label: LAB_SECRET_SOURCE, kind: 'secret', kids: [], problems: ['$AUTHLENS_LAB_JWT_SECRET is not set'], fetched_at: null, from_cache: false, rotation: null },
      { label: `OIDC issuer ${origin}/`, kind: 'oidc', kids: [kidOf(signing)], problems: [], fetched_at: view.run.started_at + 4, from_cache: false, rotation: null },
    ];
  }
  const out: KeySourceInfo[] = [
    { label: LAB_SECRET_SOURCE, kind: 'secret', kids: ['HMAC secret (no kid)'], problems: [], fetched_at: null, from_cache: false, rotation: null },
    {
      label: `OIDC issuer ${origin}/`,
      kind: 'oidc',
      kids: [],
      problems: [`the key set at ${origin}/.well-known/jwks.json holds no keys (an HS256 issuer publishes none)`],
      fetched_at: view.run.started_at + 4,
      from_cache: false,
      rotation: null,
    },
  ];
  if (found) out.push({ label: FOUND_SOURCE, kind: 'secret', kids: ['HMAC secret (no kid)'], problems: [], fetched_at: null, from_cache: false, rotation: null });
  return out;
}

/** The kid of the lab's first key: `lab-<signing>-1`. */
const kidOf = (signing: string) => `lab-${signing}-1`;

/** The lab signing with a key pair: its access JWTs carry that alg and the key's kid (fixtures are HS256). */
export function applySigning(view: RunView, signing: string): void {
  if (signing === 'hs256') return;
  for (const c of view.run.credentials) {
    if (!c.jwt || !isHmac(c)) continue;
    c.jwt.alg = alg(signing);
    c.jwt.kid = kidOf(signing);
    c.jwt.signature_len = signing === 'rs256' ? 256 : 64;
    if (c.jwt.header && typeof c.jwt.header === 'object' && !Array.isArray(c.jwt.header)) {
      c.jwt.header = { ...c.jwt.header, alg: alg(signing), kid: kidOf(signing) };
    }
  }
}

/** Every JWT of the run verified, and the run's key sources, as the core does after the audit. */
export function verifyJwts(view: RunView, flaws: string[], signing: string): void {
  const found = signing === 'hs256' && flaws.includes('weak-secret');
  view.run.jwt_keys = keySources(view, found, signing);
  const oidc = `OIDC issuer ${originOf(view)}/`;
  for (const c of view.run.credentials) c.verification = verification(c, found, oidc);
}
