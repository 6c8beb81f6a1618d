import { describe, expect, it } from 'vitest';
import { bodyView, hexDump } from '../src/lib/body';
import { diffStatuses, groupFindings, SEVERITIES, STATUSES } from '../src/lib/checklist';
import { countdown, formatAbsolute, formatDuration, formatOffset, visible } from '../src/lib/format';
import { fixtureChecks } from '../src/lib/fixtures';
import { eventsFor } from '../src/lib/mock';
import { applyEvent, fraction, initialProgress } from '../src/lib/progress';
import { rowWindow, scrollToRow } from '../src/lib/virtual';
import { fixture } from './helpers';

describe('format', () => {
  it('durations', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(540.4)).toBe('540 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(299_000)).toBe('4m 59s');
    expect(formatDuration(8 * 3600_000)).toBe('8h');
    expect(formatDuration(400 * 86400_000)).toBe('1y 35d');
    expect(formatDuration(9.2e18)).toMatch(/^[\d,]+y$/);
    expect(formatOffset(-3000)).toBe('−3 s');
  });

  it('countdowns', () => {
    expect(countdown(10_000 + 252_000, 10_000)).toBe('expires in 4m 12s');
    expect(countdown(10_000 + 500, 10_000)).toBe('expires in 1s');
    expect(countdown(10_000, 13_000)).toBe('expired 3s ago');
    expect(countdown(null, 0)).toBe('no declared expiry');
  });

  it('absolute times, in range or not', () => {
    expect(formatAbsolute(0)).toBe('1970-01-01 00:00:00.000');
    expect(formatAbsolute(JSON.parse('9223372036854775807'))).toMatch(/far future/);
    expect(formatAbsolute(JSON.parse('-9223372036854775808'))).toMatch(/far past/);
  });

  it('shows invisible and bidi characters', () => {
    expect(visible('a\u202Eb\nc\u0000')).toBe('a\\u{202e}b\\nc\\u{0000}');
  });
});

describe('bodies', () => {
  it('pretty-prints JSON, keeps text, dumps binary', () => {
    expect(bodyView({ text: '{"a":1}', size: 7 })).toEqual({ kind: 'json', text: '{\n  "a": 1\n}' });
    expect(bodyView({ text: '<html>', size: 6 })).toEqual({ kind: 'text', text: '<html>' });
    expect(bodyView({ text: '', size: 0 })).toEqual({ kind: 'empty' });
    const v = bodyView({ base64: btoa('\x00\x01ABC'), size: 5 });
    expect(v).toMatchObject({ kind: 'hex', shown: 5, total: 5 });
    expect(bodyView({ base64: '!!!', size: 3 }).kind).toBe('invalid');
  });

  it('hex dumps at most 4 KiB', () => {
    const full = hexDump(new Uint8Array(16).fill(0x41));
    const short = hexDump(new Uint8Array([0x41, 0x00, 0xff]));
    expect(short.startsWith('00000000  41 00 ff ')).toBe(true);
    expect(short.endsWith(' |A..|')).toBe(true);
    expect(short.indexOf('|')).toBe(full.indexOf('|'));
    const big = hexDump(new Uint8Array(10_000));
    expect(big.split('\n')).toHaveLength(256);
  });
});

describe('checklist', () => {
  const all = { statuses: new Set(STATUSES), severities: new Set(SEVERITIES), text: '' };

  it('groups by family and sorts worst first', () => {
    const run = fixture('hybridFlawed').run;
    const groups = groupFindings(run.findings, fixtureChecks, all, 'status');
    expect(groups.reduce((n, g) => n + g.findings.length, 0)).toBe(run.findings.length);
    expect(groups[0].findings[0].finding.status).toBe('fail');
    const byCat = groupFindings(run.findings, fixtureChecks, all, 'catalogue');
    expect(byCat[0].family).toBe('Cookies');
  });

  it('filters by status, severity and text', () => {
    const run = fixture('hybridFlawed').run;
    const fails = groupFindings(run.findings, fixtureChecks, { ...all, statuses: new Set(['fail'] as const) }, 'status');
    expect(fails.flatMap((g) => g.findings).every((f) => f.finding.status === 'fail')).toBe(true);
    const text = groupFindings(run.findings, fixtureChecks, { ...all, text: 'refresh.reuse' }, 'status');
    expect(text.flatMap((g) => g.findings).map((f) => f.finding.check_id)).toEqual(['refresh.reuse']);
  });

  it('diffs check statuses between two runs', () => {
    const rows = diffStatuses(fixture('hybrid').run.findings, fixture('hybridFlawed').run.findings, fixtureChecks);
    const differ = rows.filter((r) => r.differs).map((r) => r.checkId);
    expect(differ).toEqual(expect.arrayContaining(['session.logout', 'refresh.reuse', 'jwt.exp']));
    expect(rows.find((r) => r.checkId === 'cookie.httponly')?.differs).toBe(false);
    const vsEmpty = diffStatuses(fixture('hybrid').run.findings, [], fixtureChecks);
    expect(vsEmpty.every((r) => r.right === null && r.differs)).toBe(true);
  });
});

describe('progress', () => {
  it('folds run events into steps, exchanges and a fraction', () => {
    const run = fixture('jwt').run;
    let p = initialProgress();
    p = applyEvent(p, { event: 'started', run_id: run.id, profile: run.profile_name, total_steps: 4 });
    const batches = eventsFor(run);
    for (const e of batches[0]) p = applyEvent(p, e);
    expect(p.steps[0].status).toBe('running');
    expect(fraction(p)).toBe(0);
    for (const b of batches.slice(1)) for (const e of b) p = applyEvent(p, e);
    expect(p.exchangeCount).toBe(run.exchanges.length);
    expect(p.exchanges.at(-1)?.id).toBe(run.exchanges.at(-1)?.id);
    p = applyEvent(p, { event: 'failed', error: { code: 'x', message: 'y' } });
    expect(p.state).toBe('failed');
    expect(fraction(p)).toBe(1);
  });
});

describe('windowing', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(rowWindow(0, 480, 24, 10_000, 6)).toEqual({ start: 0, end: 27, offset: 0, total: 240_000 });
    const mid = rowWindow(24 * 5000, 480, 24, 10_000, 6);
    expect(mid.start).toBe(4994);
    expect(mid.end - mid.start).toBeLessThan(40);
    expect(rowWindow(1e9, 480, 24, 10, 6)).toMatchObject({ start: 0, end: 10 });
    expect(rowWindow(0, 480, 24, 0, 6)).toMatchObject({ start: 0, end: 0, total: 0 });
  });

  it('scrolls a row into view', () => {
    expect(scrollToRow(0, 100, 480, 24)).toBe(0);
    expect(scrollToRow(100, 0, 480, 24)).toBe(100 * 24 + 24 - 480);
    expect(scrollToRow(5, 0, 480, 24)).toBe(0);
  });
});
