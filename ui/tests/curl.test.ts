import { describe, expect, it } from 'vitest';
import { shellQuote, toCurl } from '../src/lib/curl';
import type { RequestRecord } from '../src/lib/types';

describe('shell quoting', () => {
  it('single-quotes plain text and escapes single quotes', () => {
    expect(shellQuote('abc')).toBe(`'abc'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote(`$(rm -rf ~) \`x\` "q" \\`)).toBe(`'$(rm -rf ~) \`x\` "q" \\'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('uses $\'...\' for control characters so a newline cannot end the command', () => {
    expect(shellQuote('a\nb')).toBe(`$'a\\nb'`);
    expect(shellQuote(`x'\r\n; touch /tmp/p`)).toBe(`$'x\\'\\r\\n; touch /tmp/p'`);
    expect(shellQuote('nul\u0000bel\u0007back\\')).toBe(`$'nul\\x00bel\\x07back\\\\'`);
    expect(shellQuote('a\nb')).not.toContain('\n');
  });
});

describe('copy as curl', () => {
  const req = (over: Partial<RequestRecord> = {}): RequestRecord => ({
    method: 'POST',
    url: 'https://127.0.0.1:8443/api/login',
    headers: [
      { name: 'content-type', value: 'application/json' },
      { name: 'content-length', value: '42' },
      { name: 'x-evil', value: `a'b` },
    ],
    body: { text: '{"username":"alice","password":"‹redacted›"}', size: 44 },
    ...over,
  });

  it('includes method, URL, headers and body, all quoted', () => {
    expect(toCurl(req())).toBe(
      `curl -X 'POST' 'https://127.0.0.1:8443/api/login' -H 'content-type: application/json' -H 'x-evil: a'\\''b' --data-raw '{"username":"alice","password":"‹redacted›"}'`,
    );
  });

  it('leaves out headers curl computes and the method for a plain GET', () => {
    const c = toCurl(req({ method: 'GET', headers: [{ name: 'Content-Length', value: '0' }], body: { text: '', size: 0 } }));
    expect(c).toBe(`curl 'https://127.0.0.1:8443/api/login'`);
  });

  it('quotes hostile header values with newlines on one line', () => {
    const c = toCurl(req({ headers: [{ name: 'x', value: "v\n'; rm -rf / #" }] }));
    expect(c).toContain(`-H $'x: v\\n\\'; rm -rf / #'`);
    expect(c.split('\n')).toHaveLength(1);
  });

  it('notes a binary body instead of pasting bytes', () => {
    const c = toCurl(req({ body: { base64: 'AAEC', size: 3 } }));
    expect(c).toMatch(/# binary request body \(3 bytes\) not included$/);
    expect(c).not.toContain('--data');
  });
});
