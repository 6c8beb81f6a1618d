import { describe, expect, it } from 'vitest';
import {
  barGeometry,
  clusterLabels,
  gapGeometry,
  labelRows,
  latencyGeometry,
  layoutLanes,
  makeScale,
  MAX_LIFETIME_SPAN_MS,
  MIN_VISIBLE_PX,
  niceStep,
  observedGeometry,
  ticks,
  timeToX,
  viewRange,
} from '../src/lib/timeline-geometry';
import type { Lane, Timeline } from '../src/lib/types';
import { fixture } from './helpers';

// i64::MAX / i64::MIN as JSON.parse reads them from the backend.
const I64_MAX = JSON.parse('9223372036854775807') as number;
const I64_MIN = JSON.parse('-9223372036854775808') as number;

const lane = (over: Partial<Lane> = {}): Lane => ({
  credential_id: 1,
  label: 'access #1',
  kind: 'access',
  scenario: 'lifecycle',
  issued_at: 1000,
  declared_expiry: null,
  expiry_source: null,
  marks: [],
  last_accepted: null,
  first_rejected: null,
  revocation_gap: null,
  replica: null,
  latency: null,
  ...over,
});

const tl = (over: Partial<Timeline> = {}): Timeline => ({ start: 1000, end: 1200, events: [], lanes: [], ...over });
const finiteAll = (o: object) => Object.values(o).every((v) => typeof v !== 'number' || Number.isFinite(v));

describe('time → x', () => {
  const s = makeScale({ start: 0, end: 1000 }, 100, 1100);

  it('is linear inside the view', () => {
    expect(timeToX(s, 0)).toBe(100);
    expect(timeToX(s, 500)).toBe(600);
    expect(timeToX(s, 1000)).toBe(1100);
  });

  it('pins far-away and i64-extreme times to a finite band', () => {
    for (const t of [I64_MAX, I64_MIN, 1e300, -1e300, Infinity, -Infinity, NaN]) {
      const x = timeToX(s, t);
      expect(Number.isFinite(x)).toBe(true);
      expect(Math.abs(x)).toBeLessThan(20_000);
    }
    expect(timeToX(s, I64_MAX)).toBeGreaterThan(1100);
    expect(timeToX(s, I64_MIN)).toBeLessThan(100);
  });

  it('never divides by zero: empty and inverted ranges get a span', () => {
    for (const r of [{ start: 5, end: 5 }, { start: 5, end: 1 }, { start: I64_MAX, end: I64_MAX }, { start: NaN, end: NaN }]) {
      const z = makeScale(r, 0, 100);
      expect(z.end).toBeGreaterThan(z.start);
      expect(Number.isFinite(timeToX(z, r.start))).toBe(true);
    }
    expect(makeScale({ start: 0, end: 10 }, 50, 50).x1).toBeGreaterThan(50);
  });
});

describe('view range', () => {
  it('run zoom covers the run with a little padding', () => {
    const r = viewRange(tl({ lanes: [lane({ declared_expiry: 1000 + 300_000 })] }), 'run');
    expect(r.start).toBeLessThan(1000);
    expect(r.end).toBeGreaterThan(1200);
    expect(r.end).toBeLessThan(1300);
  });

  it('a zero-length run still has a span', () => {
    const r = viewRange(tl({ start: 1000, end: 1000 }), 'run');
    expect(r.end - r.start).toBeGreaterThan(0);
    const l = viewRange(tl({ start: 1000, end: 1000 }), 'lifetimes');
    expect(l.end - l.start).toBeGreaterThan(0);
  });

  it('run zoom includes late marks and events', () => {
    const r = viewRange(tl({ lanes: [lane({ marks: [{ at: 5000, verdict: 'accepted', purpose: 'flow', exchange_id: 1, after_event: null, status: 200 }] })] }), 'run');
    expect(r.end).toBeGreaterThanOrEqual(5000);
  });

  it('lifetimes zoom reaches the latest declared expiry', () => {
    const r = viewRange(tl({ lanes: [lane({ declared_expiry: 301_000 }), lane({ declared_expiry: 29_000_000 })] }), 'lifetimes');
    expect(r.end).toBeGreaterThanOrEqual(29_000_000);
    expect(r.end).toBeLessThan(29_000_000 * 1.05);
  });

  it('lifetimes zoom ignores absurd expiries (they stay off-scale arrows)', () => {
    const r = viewRange(tl({ lanes: [lane({ declared_expiry: 301_000 }), lane({ declared_expiry: I64_MAX })] }), 'lifetimes');
    expect(r.end).toBeLessThan(400_000);
    expect(r.end - r.start).toBeLessThan(MAX_LIFETIME_SPAN_MS);
  });

  it('with no expiry at all, lifetimes falls back to the run', () => {
    const r = viewRange(tl({ lanes: [lane()] }), 'lifetimes');
    expect(r.end).toBeLessThan(1300);
  });
});

describe('lifetime bars', () => {
  const s = makeScale({ start: 1000, end: 2000 }, 0, 1000);

  it('draws issue → expiry inside the view', () => {
    const b = barGeometry(s, 1100, 1600);
    expect(b).toMatchObject({ x: 100, width: 500, clippedRight: false, hasExpiry: true, inverted: false });
  });

  it('clips an expiry far beyond the run at the edge', () => {
    const b = barGeometry(s, 1100, 1000 + 300_000);
    expect(b.clippedRight).toBe(true);
    expect(b.x + b.width).toBe(1000);
    expect(b.endX).toBe(1000);
  });

  it('handles i64-extreme expiries and issue times', () => {
    const far = barGeometry(s, 1100, I64_MAX);
    expect(far.clippedRight).toBe(true);
    expect(finiteAll(far)).toBe(true);
    const weird = barGeometry(s, I64_MIN, I64_MAX);
    expect(weird).toMatchObject({ x: 0, width: 1000, clippedLeft: true, clippedRight: true });
  });

  it('no expiry: open-ended to the edge', () => {
    const b = barGeometry(s, 1500, null);
    expect(b).toMatchObject({ hasExpiry: false, x: 500, width: 500, clippedRight: true });
  });

  it('an expiry before the issue draws nothing and says so', () => {
    const b = barGeometry(s, 1500, 1200);
    expect(b).toMatchObject({ inverted: true, width: 0 });
  });

  it('a lifetime shorter than a pixel stays visible', () => {
    const wide = makeScale({ start: 0, end: 1e9 }, 0, 1000);
    expect(barGeometry(wide, 100, 101).width).toBe(MIN_VISIBLE_PX);
  });
});

describe('revocation gap', () => {
  const s = makeScale({ start: 1000, end: 2000 }, 0, 1000);

  it('runs from the logout to the declared expiry', () => {
    const g = gapGeometry(s, { from: 1500, observed_until: 1510, expected_until: 1800 });
    expect(g).toMatchObject({ x: 500, width: 300, until: 1800, basis: 'declared-expiry', clippedRight: false });
  });

  it('falls back to the last accepted replay when nothing is declared', () => {
    const g = gapGeometry(s, { from: 1500, observed_until: 1700, expected_until: null });
    expect(g).toMatchObject({ x: 500, width: 200, basis: 'last-accepted-replay' });
  });

  it('is clipped when the expiry is beyond the view, even at i64::MAX', () => {
    const g = gapGeometry(s, { from: 1500, observed_until: 1501, expected_until: I64_MAX });
    expect(g.clippedRight).toBe(true);
    expect(g.x + g.width).toBe(1000);
    expect(finiteAll(g)).toBe(true);
  });

  it('an expiry before the last accepted replay does not shrink the gap', () => {
    const g = gapGeometry(s, { from: 1500, observed_until: 1700, expected_until: 1600 });
    expect(g.until).toBe(1700);
  });

  it('a 1 ms gap still has a visible width', () => {
    const g = gapGeometry(makeScale({ start: 0, end: 1e9 }, 0, 1000), { from: 10, observed_until: 11, expected_until: null });
    expect(g.width).toBe(MIN_VISIBLE_PX);
  });
});

describe('lanes layout', () => {
  it('groups lanes by scenario in order, lifecycle first', () => {
    const v = fixture('hybrid');
    const { groups, height } = layoutLanes(v.timeline, { top: 30, laneHeight: 30, headerHeight: 20, groupGap: 10 });
    expect(groups.map((g) => g.scenario)).toEqual(['lifecycle', 'rotation']);
    expect(groups[0].y).toBe(30);
    expect(groups[0].lanes[0].y).toBe(50);
    expect(groups[1].y).toBe(30 + groups[0].height + 10);
    expect(groups.reduce((n, g) => n + g.lanes.length, 0)).toBe(v.timeline.lanes.length);
    expect(groups[0].events.every((e) => e.scenario === 'lifecycle')).toBe(true);
    expect(height).toBe(groups[1].y + groups[1].height);
  });

  it('keeps scenarios that only have events, and handles an empty timeline', () => {
    const t = tl({ events: [{ kind: 'login', at: 1100, exchange_id: 1, scenario: 'solo' }] });
    const { groups } = layoutLanes(t, { top: 0, laneHeight: 30, headerHeight: 20, groupGap: 10 });
    expect(groups).toHaveLength(1);
    expect(groups[0].lanes).toHaveLength(0);
    expect(layoutLanes(tl(), { top: 7, laneHeight: 30, headerHeight: 20, groupGap: 10 })).toEqual({ groups: [], height: 7 });
  });
});

describe('replica lanes and measured revocation', () => {
  it('keeps a credential\'s replica lanes together, by replica, under one bracket', () => {
    const t = tl({
      lanes: [
        lane({ credential_id: 5, scenario: 'replicas', replica: 2 }),
        lane({ credential_id: 6, scenario: 'replicas' }),
        lane({ credential_id: 5, scenario: 'replicas', replica: 1 }),
        lane({ credential_id: 5, scenario: 'replicas', replica: 3 }),
      ],
    });
    const { groups } = layoutLanes(t, { top: 0, laneHeight: 30, headerHeight: 20, groupGap: 10 });
    expect(groups[0].lanes.map((l) => [l.lane.credential_id, l.lane.replica])).toEqual([
      [6, null],
      [5, 1],
      [5, 2],
      [5, 3],
    ]);
    expect(groups[0].replicaSets).toEqual([{ credentialId: 5, y: 50, height: 90 }]);
  });

  it('draws observed validity up to the last accepted answer and the first rejection', () => {
    const s = makeScale({ start: 1000, end: 2000 }, 0, 1000);
    const g = observedGeometry(s, lane({ issued_at: 1100, last_accepted: 1400, first_rejected: 1500 }));
    expect(g.span).toEqual({ x: 100, width: 300 });
    expect(g.rejectedX).toBe(500);
    expect(observedGeometry(s, lane({ issued_at: 1100 }))).toEqual({ span: null, rejectedX: null });
  });

  it('spans the latency band from logout to first rejection, the uncertainty from the last accepted poll', () => {
    const s = makeScale({ start: 0, end: 10_000 }, 0, 1000);
    const g = latencyGeometry(s, { logout_at: 1000, last_accepted: 4000, first_rejected: 4100, latency_ms: 3050, resolution_ms: 100, polls: 300 });
    expect(g).toEqual({ x: 100, width: 310, uncertainty: { x: 400, width: 10 }, revoked: true });
    const open = latencyGeometry(s, { logout_at: 1000, last_accepted: 9000, first_rejected: null, latency_ms: null, resolution_ms: null, polls: 3000 });
    expect(open).toMatchObject({ x: 100, width: 800, uncertainty: null, revoked: false });
  });
});

describe('axis', () => {
  it('picks nice steps', () => {
    expect(niceStep(3)).toBe(5);
    expect(niceStep(40_000)).toBe(60_000);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(1e15)).toBe(1e15);
    expect(Number.isFinite(niceStep(1e19))).toBe(true);
  });

  it('labels ticks as offsets from the run start, bounded in number', () => {
    const s = makeScale({ start: 1000, end: 1200 }, 0, 800);
    const t = ticks(s, 1000, 8);
    expect(t[0]).toMatchObject({ t: 1000, label: 'start' });
    expect(t.map((x) => x.label)).toContain('+50 ms');
    expect(t.length).toBeLessThanOrEqual(9);
    const huge = ticks(makeScale({ start: I64_MIN, end: I64_MAX }, 0, 800), 0, 8);
    expect(huge.length).toBeLessThanOrEqual(9);
    expect(huge.every((x) => Number.isFinite(x.x))).toBe(true);
  });

  it('merges labels of events a few pixels apart', () => {
    expect(clusterLabels([500, 503, 100, 506, 700], 40)).toEqual([
      { x: 100, members: [2] },
      { x: 500, members: [0, 1, 3] },
      { x: 700, members: [4] },
    ]);
  });

  it('spreads close labels over rows', () => {
    expect(labelRows([100, 110, 300], 50, 2)).toEqual([0, 1, 0]);
    expect(labelRows([], 50, 2)).toEqual([]);
  });
});
