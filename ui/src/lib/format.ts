// Text formatting for times, durations, sizes, labels, and hostile strings.

import type { Run } from './types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** "0 ms", "540 ms", "1.25 s", "4m 59s", "8h", "3d 4h", "2y 10d". Sign is dropped (see `formatOffset`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  const a = Math.abs(ms);
  if (a < SECOND) return `${Math.round(a)} ms`;
  if (a < 10 * SECOND) return `${trim(a / SECOND, 2)} s`;
  if (a < MINUTE) return `${Math.round(a / SECOND)}s`;
  if (a < HOUR) return pair(a, MINUTE, 'm', SECOND, 's');
  if (a < DAY) return pair(a, HOUR, 'h', MINUTE, 'm');
  if (a < YEAR) return pair(a, DAY, 'd', HOUR, 'h');
  if (a < 1000 * YEAR) return pair(a, YEAR, 'y', DAY, 'd');
  return `${Math.floor(a / YEAR).toLocaleString('en-US')}y`;
}

function pair(a: number, big: number, bu: string, small: number, su: string): string {
  const b = Math.floor(a / big);
  const s = Math.floor((a - b * big) / small);
  return s > 0 ? `${b}${bu} ${s}${su}` : `${b}${bu}`;
}

function trim(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

/** "+4m 59s", "−3 ms", "+0 ms". */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${formatDuration(ms)}`;
}

/** Whole seconds, countdown style: "0s", "42s", "4m 12s", "8h 3m". */
export function formatSeconds(ms: number): string {
  const a = Math.abs(ms);
  if (a < MINUTE) return `${Math.floor(a / SECOND)}s`;
  return formatDuration(a);
}

/** "expires in 4m 12s" / "expired 3s ago" / "no declared expiry". */
export function countdown(expiry: number | null, now: number): string {
  if (expiry === null) return 'no declared expiry';
  const d = expiry - now;
  if (d > 0) return `expires in ${formatSeconds(Math.ceil(d / SECOND) * SECOND)}`;
  return `expired ${formatSeconds(-d)} ago`;
}

/** JS Dates cover ±8.64e15 ms; beyond that a time is only "far away". */
export const MAX_DATE_MS = 8.64e15;

const p2 = (n: number) => String(n).padStart(2, '0');

/** "2026-11-22 07:32:24.539" in local time; out-of-range times say so instead of "Invalid Date". */
export function formatAbsolute(t: number): string {
  if (!Number.isFinite(t)) return 'invalid time';
  if (t > MAX_DATE_MS) return 'far future (beyond year 275760)';
  if (t < -MAX_DATE_MS) return 'far past (before year −271821)';
  const d = new Date(t);
  const y = d.getFullYear();
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${y}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms}`;
}

/** "07:32:24.539" (time of day only). */
export function formatClock(t: number): string {
  const full = formatAbsolute(t);
  return /^\d/.test(full) && full.length > 11 ? full.slice(11) : full;
}

/** Unix seconds (JWT claims, cookie Expires) as an absolute time. */
export function formatUnixSeconds(s: number): string {
  return formatAbsolute(s * 1000);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${trim(n / 1024, 1)} KiB`;
  return `${trim(n / (1024 * 1024), 1)} MiB`;
}

// Bidi controls and other invisible format characters can make a URL or header read differently from what
// it is (Trojan Source); C0/C1 controls can break a one-line display. Show them as visible escapes.
// eslint-disable-next-line no-control-regex
const INVISIBLE_LINE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const INVISIBLE_BLOCK = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const escapeChar = (c: string) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`;

/** One-line text (URLs, header values, labels) with controls and invisible characters made visible. */
export function visible(s: string): string {
  return s.replace(INVISIBLE_LINE, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : escapeChar(c)));
}

/** Multi-line text (bodies): keeps tabs and newlines, shows every other invisible character. */
export function visibleBlock(s: string): string {
  return s.replace(INVISIBLE_BLOCK, escapeChar);
}

/** A credential's label by id ("access #1"); "credential 7" when the run has no such credential. */
export function credentialLabel(run: Pick<Run, 'credentials'>, id: number): string {
  return run.credentials.find((c) => c.id === id)?.label ?? `credential ${id}`;
}
