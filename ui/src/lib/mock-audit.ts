// The weak-secret audit for the mock backend. It really checks the token's HMAC (WebCrypto) against the blank
// secret, a short built-in list and the few lines the mock's pretend wordlists hold; the rest of a wordlist is
// only counted, at a simulated speed, with the progress a real audit reports. Errors use the core's codes.

import { BackendError } from './backend';
import { base64ToBytes } from './jwt';
import type { AuditProgress, AuditReport, AuditRequest } from './types';

export const BLANK_SOURCE = 'blank secret';
export const BUILTIN_SOURCE = 'built-in list';

/** The start of the core's built-in list (common.txt). */
export const MOCK_BUILTIN = [
  'secret',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'secretkey',
  'secret_key',
  'secret-key',
  'jwt_secret',
  'jwt-secret',
  'changeme',
  'password',
  'keyboard cat',
];

interface MockWordlist {
  /** The lines the mock really tries (the first ones of the file). */
  lines: string[];
  /** How many lines the file has, and its size: what is counted and reported. */
  totalLines: number;
  bytes: number;
}

/** The wordlists the mock pretends to have on disk; any other path cannot be read. */
export const MOCK_WORDLISTS: Record<string, MockWordlist> = {
  '/usr/share/wordlists/rockyou.txt': {
    lines: ['123456', '12345', '123456789', 'password', 'iloveyou', 'princess', '1234567', 'rockyou', '12345678', 'abc123'],
    totalLines: 14_344_392,
    bytes: 139_921_497,
  },
  '/usr/share/wordlists/jwt.secrets.list': {
    lines: ['secret', 'lab-secret', 'authlens', 'hunter2', 'super-secret-signing-key'],
    totalLines: 103_960,
    bytes: 1_260_442,
  },
};

/** Candidates per second the mock pretends to try. */
export const MOCK_RATE = 2_500_000;
/** Progress reports per audit (a real one reports every ~125 ms). */
const TICKS = 8;

const HASH: Record<string, { hash: string; len: number }> = {
  HS256: { hash: 'SHA-256', len: 32 },
  HS384: { hash: 'SHA-384', len: 48 },
  HS512: { hash: 'SHA-512', len: 64 },
};

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

function parse(token: string): { alg: string; message: Uint8Array; signature: Uint8Array } {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return fail('weak-secret.not-a-jwt', `not a JWT: expected 3 dot-separated parts, got ${parts.length}`);
  const head = base64ToBytes(parts[0]);
  let header: unknown = null;
  try {
    header = head ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head)) : null;
  } catch {
    header = null;
  }
  const alg = header && typeof header === 'object' && 'alg' in header ? (header as { alg: unknown }).alg : undefined;
  if (typeof alg !== 'string') return fail('weak-secret.not-a-jwt', 'not a JWT: the header is not a JSON object with an alg');
  const h = HASH[alg];
  if (!h) return fail('weak-secret.not-hmac', `${alg} is not an HMAC algorithm: there is no shared secret to guess`);
  const signature = base64ToBytes(parts[2]);
  if (!signature) return fail('weak-secret.not-a-jwt', 'not a JWT: the signature is not base64url');
  if (signature.length !== h.len) {
    return fail('weak-secret.signature-length', `the signature is ${signature.length} bytes, but ${alg} signatures are ${h.len} bytes`);
  }
  return { alg, message: new TextEncoder().encode(`${parts[0]}.${parts[1]}`), signature };
}

async function signs(secret: string, alg: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const raw = new TextEncoder().encode(secret);
  // WebCrypto refuses an empty HMAC key; HMAC pads keys with zeros, so one zero byte is the same key.
  const key = await crypto.subtle.importKey('raw', raw.length ? raw : new Uint8Array(1), { name: 'HMAC', hash: HASH[alg].hash }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message as BufferSource));
  return mac.length === signature.length && mac.every((b, i) => b === signature[i]);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface MockAuditOptions {
  /** Real pause between progress reports (0: none, only a yield). */
  tickMs: number;
  isCancelled: () => boolean;
}

export async function mockAudit(request: AuditRequest, onProgress: (p: AuditProgress) => void, opts: MockAuditOptions): Promise<AuditReport> {
  const { alg, message, signature } = parse(request.token);
  const lists = request.wordlists.map((path) => {
    const w = MOCK_WORDLISTS[path];
    return w ? { path, ...w } : fail('weak-secret.wordlist', `cannot read the wordlist ${path}: No such file or directory (os error 2)`);
  });
  const sources = [BLANK_SOURCE, ...(request.builtin ? [BUILTIN_SOURCE] : []), ...lists.map((l) => l.path)];
  const limitMs = request.time_limit_secs ? request.time_limit_secs * 1000 : Infinity;
  let tried = 0;
  let elapsed = 0;
  const report = (outcome: AuditReport['outcome']): AuditReport => ({
    alg,
    outcome,
    tried,
    elapsed_ms: Math.round(elapsed),
    per_sec: elapsed > 0 ? (tried / elapsed) * 1000 : 0,
    sources,
  });
  const found = (secret: string, source: string, line: number) =>
    report({ type: 'found', secret, secret_len: new TextEncoder().encode(secret).length, source, line });

  // The blank secret and the built-in list: at once, as the core does.
  tried += 1;
  elapsed += 0.2;
  if (await signs('', alg, message, signature)) return found('', BLANK_SOURCE, 1);
  if (request.builtin) {
    for (const [i, s] of MOCK_BUILTIN.entries()) {
      tried += 1;
      if (await signs(s, alg, message, signature)) return found(s, BUILTIN_SOURCE, i + 1);
    }
    tried += 538; // the rest of the core's 550-line list
    elapsed += 0.3;
  }

  const bytesTotal = lists.reduce((n, l) => n + l.bytes, 0);
  let bytesDone = 0;
  for (const l of lists) {
    for (const [i, s] of l.lines.entries()) {
      if (await signs(s, alg, message, signature)) {
        tried += i + 1;
        return found(s, l.path, i + 1);
      }
    }
    // The rest of the file, counted in ticks of simulated time.
    const duration = (l.totalLines / MOCK_RATE) * 1000;
    for (let t = 1; t <= TICKS; t++) {
      if (opts.tickMs > 0) await sleep(opts.tickMs);
      else await sleep(0);
      if (opts.isCancelled()) return report({ type: 'cancelled' });
      const step = duration / TICKS;
      if (elapsed + step > limitMs) {
        const left = Math.max(limitMs - elapsed, 0);
        tried += Math.floor((left / 1000) * MOCK_RATE);
        elapsed = limitMs;
        return report({ type: 'timed-out' });
      }
      elapsed += step;
      tried += Math.floor(l.totalLines / TICKS);
      bytesDone += Math.floor(l.bytes / TICKS);
      onProgress({
        tried,
        elapsed_ms: Math.round(elapsed),
        per_sec: (tried / elapsed) * 1000,
        source: l.path,
        bytes_done: t === TICKS ? bytesDone + (l.bytes % TICKS) : bytesDone,
        bytes_total: bytesTotal,
      });
    }
    bytesDone += l.bytes % TICKS;
  }
  return report({ type: 'not-found' });
}
