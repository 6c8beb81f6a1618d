// Pure geometry for the timeline picture: which time span is on screen, time → x, lanes grouped by
// scenario, lifetime bars, the revocation gap, axis ticks. Everything stays finite whatever the input
// (expiries centuries away, i64-extreme values, no expiry, a run that lasted 0 ms).

import type { FlowEvent, Gap, Lane, LatencyInterval, Mark, Timeline } from './types';
import { formatOffset } from './format';

export type Zoom = 'run' | 'lifetimes';

export interface TimeRange {
  start: number;
  end: number;
}

export interface Scale extends TimeRange {
  x0: number;
  x1: number;
}

const DAY = 86_400_000;
/** The "lifetimes" view never spans more than this; later expiries are drawn as off-scale arrows. */
export const MAX_LIFETIME_SPAN_MS = 5 * 365 * DAY;
/** How far beyond the plot an off-scale x may lie before it is pinned (keeps SVG numbers small). */
const OVERFLOW_PX = 10_000;
/** A gap or bar this narrow or wider, so a 1 ms revocation gap stays visible in the lifetimes view. */
export const MIN_VISIBLE_PX = 4;

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** The time span on screen for a zoom level. Never empty: a zero-length run gets a 1 ms span. */
export function viewRange(tl: Timeline, zoom: Zoom): TimeRange {
  const start = finite(tl.start) ? tl.start : 0;
  let runEnd = finite(tl.end) && tl.end > start ? tl.end : start;
  // Marks and flow events belong to the run: the run view must show them all.
  for (const e of tl.events) if (finite(e.at) && e.at > runEnd && e.at - start <= MAX_LIFETIME_SPAN_MS) runEnd = e.at;
  for (const l of tl.lanes) {
    for (const m of l.marks) if (finite(m.at) && m.at > runEnd && m.at - start <= MAX_LIFETIME_SPAN_MS) runEnd = m.at;
  }
  const runSpan = Math.max(runEnd - start, 1);
  if (zoom === 'run') {
    const pad = runSpan * 0.04;
    return { start: start - pad, end: start + runSpan + pad };
  }
  let end = start + runSpan;
  for (const l of tl.lanes) {
    const e = l.declared_expiry;
    if (finite(e) && e > end && e - start <= MAX_LIFETIME_SPAN_MS) end = e;
  }
  const span = end - start;
  return { start: start - span * 0.01, end: end + span * 0.03 };
}

export function makeScale(range: TimeRange, x0: number, x1: number): Scale {
  let { start, end } = range;
  if (!finite(start)) start = 0;
  if (!finite(end) || end <= start) end = start + 1;
  // Two huge times can be equal in floating point even when their i64 values differ.
  if (end - start <= 0) end = start + Math.max(Math.abs(start) * Number.EPSILON * 4, 1);
  return { start, end, x0, x1: x1 > x0 ? x1 : x0 + 1 };
}

/** Linear time → x, pinned to a band around the plot so off-scale times stay finite and small. */
export function timeToX(s: Scale, t: number): number {
  if (!finite(t)) return t > 0 ? s.x1 + OVERFLOW_PX : s.x0 - OVERFLOW_PX;
  const f = (t - s.start) / (s.end - s.start);
  const x = s.x0 + f * (s.x1 - s.x0);
  if (!Number.isFinite(x)) return f > 0 ? s.x1 + OVERFLOW_PX : s.x0 - OVERFLOW_PX;
  return Math.min(Math.max(x, s.x0 - OVERFLOW_PX), s.x1 + OVERFLOW_PX);
}

export const clampX = (s: Scale, x: number): number => Math.min(Math.max(x, s.x0), s.x1);

export type Where = 'before' | 'in' | 'after';
export function where(s: Scale, t: number): Where {
  return t < s.start ? 'before' : t > s.end ? 'after' : 'in';
}

export interface BarGeometry {
  x: number;
  width: number;
  /** Issued before the view starts. */
  clippedLeft: boolean;
  /** The declared expiry lies beyond the view: draw the hatched tail and the arrow. */
  clippedRight: boolean;
  hasExpiry: boolean;
  /** The expiry is before the issue time (a hostile or broken server): nothing to draw but a note. */
  inverted: boolean;
  /** Where the bar ends on screen (the plot edge when clipped). */
  endX: number;
}

/** A credential's declared lifetime: issued_at → declared_expiry (open-ended to the edge when none). */
export function barGeometry(s: Scale, issuedAt: number, expiry: number | null): BarGeometry {
  const x = clampX(s, timeToX(s, issuedAt));
  const clippedLeft = issuedAt < s.start;
  if (!finite(expiry)) {
    return { x, width: Math.max(s.x1 - x, 0), clippedLeft, clippedRight: true, hasExpiry: false, inverted: false, endX: s.x1 };
  }
  if (expiry < issuedAt) {
    return { x, width: 0, clippedLeft, clippedRight: false, hasExpiry: true, inverted: true, endX: x };
  }
  const clippedRight = expiry > s.end;
  const endX = clampX(s, timeToX(s, expiry));
  let width = Math.max(endX - x, 0);
  if (width < MIN_VISIBLE_PX && expiry > issuedAt) width = Math.min(MIN_VISIBLE_PX, s.x1 - x);
  return { x, width, clippedLeft, clippedRight, hasExpiry: true, inverted: false, endX: x + width };
}

export interface GapGeometry {
  x: number;
  width: number;
  from: number;
  /** The end of the gap: the declared expiry, or the last accepted replay when there is none. */
  until: number;
  basis: 'declared-expiry' | 'last-accepted-replay';
  clippedRight: boolean;
}

/** The revocation gap: from the logout until the credential presumably stops working. */
export function gapGeometry(s: Scale, gap: Gap): GapGeometry {
  const expected = finite(gap.expected_until) ? gap.expected_until : null;
  const useExpected = expected !== null && expected >= gap.observed_until;
  const until = useExpected ? expected : gap.observed_until;
  const from = Math.min(gap.from, until);
  const x = clampX(s, timeToX(s, from));
  const endX = clampX(s, timeToX(s, until));
  let width = Math.max(endX - x, 0);
  if (width < MIN_VISIBLE_PX) width = Math.min(MIN_VISIBLE_PX, Math.max(s.x1 - x, 0));
  return {
    x,
    width,
    from,
    until,
    basis: useExpected ? 'declared-expiry' : 'last-accepted-replay',
    clippedRight: until > s.end,
  };
}

/** What the target was seen to accept: issue → last accepted answer, and where the first refusal came. */
export interface ObservedGeometry {
  /** The accepted span, null when nothing was accepted (or only before issue, a broken clock). */
  span: { x: number; width: number } | null;
  /** The first rejection's x, null when none is in view. */
  rejectedX: number | null;
}

export function observedGeometry(s: Scale, lane: Lane): ObservedGeometry {
  let span: ObservedGeometry['span'] = null;
  if (finite(lane.last_accepted) && lane.last_accepted >= lane.issued_at) {
    const x = clampX(s, timeToX(s, lane.issued_at));
    const endX = clampX(s, timeToX(s, lane.last_accepted));
    span = { x, width: Math.max(endX - x, 1) };
  }
  const rejectedX = finite(lane.first_rejected) && where(s, lane.first_rejected) === 'in' ? timeToX(s, lane.first_rejected) : null;
  return { span, rejectedX };
}

export interface LatencyGeometry {
  /** From the logout to the first rejection (or the last accepted poll when none came). */
  x: number;
  width: number;
  /** The credential died somewhere in here: (last accepted, first rejected]. */
  uncertainty: { x: number; width: number } | null;
  revoked: boolean;
}

/** The measured revocation on a lane: logout → first rejected, with its uncertainty. */
export function latencyGeometry(s: Scale, l: LatencyInterval): LatencyGeometry {
  const x = clampX(s, timeToX(s, l.logout_at));
  const end = finite(l.first_rejected) ? l.first_rejected : finite(l.last_accepted) ? l.last_accepted : l.logout_at;
  const endX = clampX(s, timeToX(s, Math.max(end, l.logout_at)));
  let uncertainty: LatencyGeometry['uncertainty'] = null;
  if (finite(l.first_rejected)) {
    const lower = finite(l.last_accepted) ? Math.max(l.last_accepted, l.logout_at) : l.logout_at;
    const ux = clampX(s, timeToX(s, Math.min(lower, l.first_rejected)));
    uncertainty = { x: ux, width: Math.max(endX - ux, 2) };
  }
  return { x, width: Math.max(endX - x, 2), uncertainty, revoked: finite(l.first_rejected) };
}

export interface MarkGroup {
  mark: Mark;
  /** The group's last mark (the same as `mark` when alone). */
  last: Mark;
  count: number;
  x: number;
}

/**
 * Consecutive marks of one verdict less than `minPx` from the group's first one become one mark: thousands
 * of latency polls would otherwise make thousands of overlapping shapes (and a heavy SVG export). Marks of
 * different purposes stay apart, so a replay after logout never hides behind the flow's own use.
 */
export function collapseMarks(s: Scale, marks: Mark[], minPx = 1): MarkGroup[] {
  const out: MarkGroup[] = [];
  for (const m of marks) {
    const x = timeToX(s, m.at);
    const g = out.at(-1);
    if (g && g.mark.verdict === m.verdict && g.mark.purpose === m.purpose && Math.abs(x - g.x) < minPx) {
      g.last = m;
      g.count += 1;
    } else out.push({ mark: m, last: m, count: 1, x });
  }
  return out;
}

export interface LaneLayout {
  lane: Lane;
  y: number;
}

/** A credential's lanes on several replicas, drawn together under a bracket. */
export interface ReplicaSet {
  credentialId: number;
  y: number;
  height: number;
}

export interface GroupLayout {
  scenario: string;
  /** Top of the group's header row. */
  y: number;
  /** From the header top to the bottom of the last lane. */
  height: number;
  lanes: LaneLayout[];
  events: FlowEvent[];
  replicaSets: ReplicaSet[];
}

export interface LayoutOptions {
  top: number;
  laneHeight: number;
  headerHeight: number;
  groupGap: number;
}

/** A lane of the replicas scenario: one replica's answers about a credential. */
export const isReplicaLane = (l: Lane): l is Lane & { replica: number } => typeof l.replica === 'number';

/** A group's lanes with each credential's replica lanes together, by replica, after the usual lanes. */
function replicasTogether(lanes: Lane[]): Lane[] {
  const plain = lanes.filter((l) => !isReplicaLane(l));
  const byCred = new Map<number, Lane[]>();
  for (const l of lanes) if (isReplicaLane(l)) byCred.set(l.credential_id, [...(byCred.get(l.credential_id) ?? []), l]);
  return [...plain, ...[...byCred.values()].flatMap((ls) => ls.sort((a, b) => (a.replica ?? 0) - (b.replica ?? 0)))];
}

/** Lanes grouped by scenario, in the timeline's order (lifecycle first); scenarios with only events too. */
export function layoutLanes(tl: Timeline, o: LayoutOptions): { groups: GroupLayout[]; height: number } {
  const order: string[] = [];
  const byScenario = new Map<string, Lane[]>();
  const add = (sc: string) => {
    if (!byScenario.has(sc)) {
      byScenario.set(sc, []);
      order.push(sc);
    }
  };
  for (const l of tl.lanes) {
    add(l.scenario);
    byScenario.get(l.scenario)?.push(l);
  }
  for (const e of tl.events) add(e.scenario);
  let y = o.top;
  const groups: GroupLayout[] = order.map((scenario) => {
    const lanes = replicasTogether(byScenario.get(scenario) ?? []);
    const placed = lanes.map((lane, i) => ({ lane, y: y + o.headerHeight + i * o.laneHeight }));
    const replicaSets: ReplicaSet[] = [];
    for (const { lane, y: ly } of placed) {
      if (!isReplicaLane(lane)) continue;
      const last = replicaSets.at(-1);
      if (last && last.credentialId === lane.credential_id) last.height += o.laneHeight;
      else replicaSets.push({ credentialId: lane.credential_id, y: ly, height: o.laneHeight });
    }
    const g: GroupLayout = {
      scenario,
      y,
      height: o.headerHeight + lanes.length * o.laneHeight,
      lanes: placed,
      events: tl.events.filter((e) => e.scenario === scenario),
      replicaSets,
    };
    y += g.height + o.groupGap;
    return g;
  });
  return { groups, height: groups.length ? y - o.groupGap : o.top };
}

const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3,
  3600e3, 7200e3, 10800e3, 21600e3, 43200e3, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 180 * DAY, 365 * DAY,
];

/** The smallest "nice" step at least `raw` ms (1-2-5 ms, s, m, h, days, years, then powers of ten). */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  for (const s of STEPS) if (s >= raw) return s;
  return 10 ** Math.ceil(Math.log10(raw));
}

export interface Tick {
  t: number;
  x: number;
  label: string;
}

/** Axis ticks labelled as offsets from `origin` (the run start), at most `maxTicks` + 1 of them. */
export function ticks(s: Scale, origin: number, maxTicks: number): Tick[] {
  const span = s.end - s.start;
  const step = niceStep(span / Math.max(maxTicks, 1));
  const out: Tick[] = [];
  let k = Math.ceil((s.start - origin) / step);
  for (let i = 0; i <= maxTicks + 1; i++, k++) {
    const t = origin + k * step;
    if (t > s.end) break;
    if (t < s.start) continue;
    out.push({ t, x: timeToX(s, t), label: k === 0 ? 'start' : formatOffset(t - origin) });
  }
  return out;
}

/** Rows for labels at these x positions so none overlaps its neighbour (greedy, left to right). */
export function labelRows(xs: number[], minGap: number, maxRows: number): number[] {
  const lastX: number[] = [];
  const idx = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const rows = new Array<number>(xs.length).fill(0);
  for (const { x, i } of idx) {
    let row = lastX.findIndex((lx) => x - lx >= minGap);
    if (row === -1) row = lastX.length < maxRows ? lastX.length : lastX.indexOf(Math.min(...lastX));
    lastX[row] = x;
    rows[i] = row;
  }
  return rows;
}

export interface LabelCluster {
  x: number;
  /** Indices into the input, left to right. */
  members: number[];
}

/** Labels closer than `minGap` px merge into one ("login · refresh · logout" for a fast run). */
export function clusterLabels(xs: number[], minGap: number): LabelCluster[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x || a.i - b.i);
  const out: LabelCluster[] = [];
  for (const { x, i } of order) {
    const last = out.at(-1);
    const lastX = last ? xs[last.members[last.members.length - 1]] : -Infinity;
    if (last && x - lastX < minGap) last.members.push(i);
    else out.push({ x, members: [i] });
  }
  return out;
}
