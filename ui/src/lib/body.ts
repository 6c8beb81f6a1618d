// How a captured body is shown: pretty JSON when it parses, plain text otherwise, a hex dump for binary.

import { base64ToBytes } from './jwt';
import type { Body } from './types';

export const HEX_DUMP_LIMIT = 4096;
/** Bodies above this are shown as received, without pretty-printing (keeps the UI responsive). */
const PRETTY_LIMIT = 1_000_000;

export type BodyView =
  | { kind: 'empty' }
  | { kind: 'json'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'hex'; text: string; shown: number; total: number }
  | { kind: 'invalid'; message: string };

export function prettyJson(text: string): string | null {
  const t = text.trim();
  if (t.length > PRETTY_LIMIT || !(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** Classic 16-bytes-a-line dump: offset, hex, printable ASCII. */
export function hexDump(bytes: Uint8Array, limit = HEX_DUMP_LIMIT): string {
  const n = Math.min(bytes.length, limit);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        const b = row[i];
        hex += b.toString(16).padStart(2, '0') + (i === 7 ? '  ' : ' ');
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        hex += i === 7 ? '    ' : '   ';
      }
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

export function bodyView(body: Body): BodyView {
  if (body.text !== undefined) {
    if (body.text === '') return { kind: 'empty' };
    const pretty = prettyJson(body.text);
    return pretty !== null ? { kind: 'json', text: pretty } : { kind: 'text', text: body.text };
  }
  if (body.base64 !== undefined) {
    // Only decode what the dump shows (4 KiB of bytes = 5464 base64 characters).
    const head = body.base64.slice(0, Math.ceil(HEX_DUMP_LIMIT / 3) * 4);
    const bytes = base64ToBytes(head);
    if (!bytes) return { kind: 'invalid', message: 'the body is marked binary but its base64 does not decode' };
    return { kind: 'hex', text: hexDump(bytes), shown: Math.min(bytes.length, HEX_DUMP_LIMIT), total: body.size };
  }
  return body.size > 0 ? { kind: 'invalid', message: `${body.size} bytes were counted but none were kept` } : { kind: 'empty' };
}
