// "Copy as curl": a POSIX-shell command that repeats a captured request. Secrets in the captured data are
// already redacted; quoting makes sure nothing in a hostile value can run as shell code when pasted.

import type { RequestRecord } from './types';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * One shell word. Plain text goes in single quotes (a `'` becomes `'\''`); text with control characters
 * (newlines, CR, NUL...) uses ANSI-C quoting `$'...'` so it stays on one line and shows what it holds.
 */
export function shellQuote(s: string): string {
  if (!CONTROL.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + "'";
}

/** Headers curl computes itself; repeating them can only make the copy wrong. */
const SKIP = new Set(['content-length', 'transfer-encoding', 'connection']);

export function toCurl(req: RequestRecord): string {
  const parts: string[] = ['curl'];
  const method = req.method.toUpperCase();
  if (method !== 'GET' || req.body.size > 0) parts.push('-X', shellQuote(req.method));
  parts.push(shellQuote(req.url));
  for (const h of req.headers) {
    if (SKIP.has(h.name.toLowerCase())) continue;
    parts.push('-H', shellQuote(`${h.name}: ${h.value}`));
  }
  if (req.body.text !== undefined && req.body.text !== '') {
    parts.push('--data-raw', shellQuote(req.body.text));
  }
  let cmd = parts.join(' ');
  if (req.body.base64 !== undefined && req.body.size > 0) {
    cmd += `  # binary request body (${req.body.size} bytes) not included`;
  }
  return cmd;
}
