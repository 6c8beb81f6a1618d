import { fireEvent, render, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.svelte';
import ChecklistTab from '../src/components/ChecklistTab.svelte';
import RunProgress from '../src/components/RunProgress.svelte';
import RunViewPage from '../src/components/RunViewPage.svelte';
import TimelineChart from '../src/components/TimelineChart.svelte';
import TimelineTable from '../src/components/TimelineTable.svelte';
import { serializeSvg } from '../src/lib/download';
import { createMockBackend, LAB_CATALOGUE } from '../src/lib/mock';
import { applyEvent, initialProgress } from '../src/lib/progress';
import { measurementHeadline } from '../src/lib/scenario-text';
import { collapseMarks, makeScale } from '../src/lib/timeline-geometry';
import type { Mark, RunEvent, RunRequest, RunView } from '../src/lib/types';
import { fixture, setup } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

const ALL = LAB_CATALOGUE.scenarios.map((s) => s.name);
const DEFAULTS = LAB_CATALOGUE.scenario_defaults;

async function labRun(flaws: string[], scenarios = ALL, mode = 'session'): Promise<{ view: RunView; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const request: RunRequest = { request_id: `r-${flaws.join()}`, target: { kind: 'lab', mode, flaws }, scenarios, reveal: false };
  const view = await createMockBackend().startRun(request, (e) => events.push(e));
  return { view, events };
}

describe('scenario picker', () => {
  async function open() {
    const backend = createMockBackend();
    const spy = vi.spyOn(backend, 'startRun');
    const r = render(App, { props: { backend } });
    await r.findByRole('button', { name: /Run the lab in session mode/ });
    const box = (name: string) => r.getByRole('checkbox', { name: new RegExp(`^${name}\\b`) }) as HTMLInputElement;
    return { r, spy, box };
  }

  it('starts from the default set, with badges and descriptions; All and Default pick', async () => {
    const { r, box } = await open();
    expect(ALL.filter((s) => box(s).checked)).toEqual(['lifecycle', 'rotation']);
    expect(box('idle').closest('label')).toHaveTextContent(/idle\s*waits\s*opt-in\s*probe after growing idle gaps/);
    expect(box('latency').closest('label')).toHaveTextContent('waits');
    expect(box('latency').closest('label')).not.toHaveTextContent('opt-in');
    await fireEvent.click(r.getByRole('button', { name: 'All' }));
    expect(ALL.every((s) => box(s).checked)).toBe(true);
    expect(r.getByText(/may lock the test account for a while/)).toBeInTheDocument();
    await fireEvent.click(r.getByRole('button', { name: 'Default' }));
    expect(ALL.filter((s) => box(s).checked)).toEqual(['lifecycle', 'rotation']);
    expect(r.queryByText(/may lock the test account/)).toBeNull();
  });

  it('sends the picked scenarios, changed settings, replicas, store and short lifetimes', async () => {
    const { r, spy, box } = await open();
    const short = r.getByRole('checkbox', { name: /Short teaching lifetimes/ }) as HTMLInputElement;
    expect(short.checked).toBe(false);
    expect(r.queryByRole('spinbutton', { name: 'Replicas' })).toBeNull();
    await fireEvent.click(box('expiry'));
    expect(short.checked).toBe(true);
    await fireEvent.click(box('replicas'));
    const replicas = r.getByRole('spinbutton', { name: 'Replicas' }) as HTMLInputElement;
    expect(replicas.value).toBe('3');
    await fireEvent.input(replicas, { target: { value: '4' } });
    await fireEvent.change(r.getByRole('combobox', { name: 'Store' }), { target: { value: 'redis' } });
    const deadline = r.getByRole('spinbutton', { name: /Stop polling this long after logout/ }) as HTMLInputElement;
    expect(deadline.value).toBe(String(DEFAULTS.latency_deadline_secs));
    await fireEvent.input(deadline, { target: { value: '10' } });
    expect(r.getByText(/Advanced: waits, bounds and sample sizes/)).toHaveTextContent('(changed)');
    await fireEvent.click(r.getByRole('button', { name: /Run the lab in session mode/ }));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toMatchObject({
      scenarios: ['lifecycle', 'rotation', 'replicas', 'expiry'],
      settings: { ...DEFAULTS, latency_deadline_secs: 10 },
      target: { kind: 'lab', mode: 'session', flaws: [], replicas: 4, store: 'redis', short_lifetimes: true },
      reveal: false,
    });
    // The run opens with its results: the picked scenarios are remembered for the next visit to Run.
    await r.findByRole('tab', { name: /Scenarios/ });
    await fireEvent.click(r.getByRole('button', { name: 'Run' }));
    await r.findByRole('button', { name: /Run the lab in session mode/ });
    expect(box('expiry').checked).toBe(true);
    expect(box('replicas').checked).toBe(true);
  });

  it('sends no settings when unchanged, and the short-lifetimes override; profile runs get the scenarios too', async () => {
    const { r, spy, box } = await open();
    await fireEvent.click(box('idle'));
    const short = r.getByRole('checkbox', { name: /Short teaching lifetimes/ }) as HTMLInputElement;
    expect(short.checked).toBe(true);
    await fireEvent.click(short);
    expect(short.checked).toBe(false);
    await fireEvent.click(r.getByRole('button', { name: /Run the lab/ }));
    const req = spy.mock.calls[0][0];
    expect(req.scenarios).toEqual(['lifecycle', 'rotation', 'idle']);
    expect(req.settings).toBeUndefined();
    expect(req.target).toEqual({ kind: 'lab', mode: 'session', flaws: [], short_lifetimes: false });
    await r.findByRole('tab', { name: 'Timeline' });

    await fireEvent.click(r.getByRole('button', { name: 'Run' }));
    await r.findByRole('button', { name: /Run the lab/ });
    await fireEvent.change(r.getByRole('combobox', { name: 'Profile' }), { target: { value: 'lab-jwt' } });
    await fireEvent.input(r.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.click(r.getByRole('button', { name: 'Run profile' }));
    expect(spy.mock.calls[1][0]).toMatchObject({ scenarios: ['lifecycle', 'rotation', 'idle'], target: { kind: 'profile' } });
  });

  it('asks for replicas with the per-replica-store flaw, and leaves the store to the flaw', async () => {
    const { r, spy } = await open();
    await fireEvent.click(r.getByRole('checkbox', { name: /per-replica-store/ }));
    expect(r.getByRole('spinbutton', { name: 'Replicas' })).toBeInTheDocument();
    expect(r.getByRole('combobox', { name: 'Store' })).toBeDisabled();
    await fireEvent.click(r.getByRole('button', { name: /Run the lab/ }));
    const target = spy.mock.calls[0][0].target;
    expect(target).toMatchObject({ kind: 'lab', flaws: ['per-replica-store'], replicas: 3 });
    expect(target).not.toHaveProperty('store');
  });

  it('refuses to run with a setting that is not a whole number', async () => {
    const { r } = await open();
    await fireEvent.input(r.getByRole('spinbutton', { name: /Session ids to collect/ }), { target: { value: '5' } });
    expect(r.getByRole('alert')).toHaveTextContent('at least 20');
    expect(r.getByRole('button', { name: /Run the lab/ })).toBeDisabled();
    await fireEvent.click(r.getByRole('button', { name: 'Reset to defaults' }));
    expect(r.getByRole('button', { name: /Run the lab/ })).toBeEnabled();
  });
});

describe('progress card', () => {
  it('counts down a wait, live, until the next step; results stream in; Cancel still works', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    const t0 = 1_800_000_000_000;
    vi.setSystemTime(t0);
    const { app, context, backend } = setup();
    const cancel = vi.spyOn(backend, 'cancelRun');
    let p = applyEvent(initialProgress(), { event: 'started', run_id: 'r', profile: 'Lab: session mode', total_steps: 4 });
    p = applyEvent(p, { event: 'waiting', scenario: 'expiry', until: t0 + 4200, reason: 'access #1 · expiry expires; replaying it 5 s after (skew)', credential_ids: [7] });
    app.active = { requestId: 'req', progress: p, cancelling: false };
    const r = render(RunProgress, { context });
    const timer = r.getByRole('timer');
    expect(timer).toHaveTextContent('4.2 s left');
    expect(r.getByText(/access #1 · expiry expires; replaying it 5 s after \(skew\)/)).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(250);
    expect(r.getByRole('timer')).toHaveTextContent(/^3\.9 s left$|^4\.0 s left$/);
    await vi.advanceTimersByTimeAsync(1000);
    const later = Number(/([\d.]+) s left/.exec(r.getByRole('timer').textContent ?? '')?.[1]);
    expect(later).toBeLessThanOrEqual(3);
    expect(later).toBeGreaterThanOrEqual(2.8);

    // Polls during a wait do not end it; the next step does.
    if (!app.active) throw new Error('no active run');
    app.active.progress = applyEvent(app.active.progress, { event: 'exchange-captured', id: 9, method: 'GET', url: 'https://lab/me', status: 200, duration_ms: 2 });
    await tick();
    expect(r.queryByRole('timer')).not.toBeNull();
    const result = fixtureResult();
    app.active.progress = applyEvent(app.active.progress, { event: 'result', result });
    await tick();
    expect(r.queryByRole('timer')).toBeNull();
    const list = r.getByRole('list', { name: 'Scenario results' });
    expect(within(list).getByText('Fail')).toBeInTheDocument();
    expect(list).toHaveTextContent('access #1 · expiry');
    expect(list).toHaveTextContent(result.summary);

    await fireEvent.click(r.getByRole('button', { name: 'Cancel' }));
    expect(cancel).toHaveBeenCalledWith('req');
  });

  it('keeps the latest results only', () => {
    let p = initialProgress();
    for (let i = 0; i < 20; i++) p = applyEvent(p, { event: 'result', result: { ...fixtureResult(), subject: `s${i}` } });
    expect(p.resultCount).toBe(20);
    expect(p.results.map((r) => r.subject)).toEqual(Array.from({ length: 8 }, (_, i) => `s${12 + i}`));
  });
});

function fixtureResult() {
  return {
    scenario: 'expiry',
    credential_id: 7,
    subject: 'access #1 · expiry',
    replica: null,
    status: 'fail' as const,
    severity: 'high' as const,
    summary: 'access #1 · expiry was accepted 5 s after its declared expiry',
    check_id: 'jwt.expiry-enforced',
    measurement: { kind: 'expiry' as const, declared_expiry: 1, skew_ms: 5000, replayed_at: 5001, exchange_id: 3, verdict: 'accepted' as const },
  };
}

describe('mock backend scenarios', () => {
  it('streams waits and results, and returns results, replica lanes and a latency lane', async () => {
    const { view, events } = await labRun(['slow-revocation', 'per-replica-store']);
    const waits = events.filter((e) => e.event === 'waiting');
    expect(waits.map((w) => w.scenario)).toEqual(expect.arrayContaining(['latency', 'expiry', 'idle']));
    const results = events.filter((e) => e.event === 'result');
    expect(results).toHaveLength(view.run.results.length);
    // Session mode: the jwt-attacks scenario has no JWT to forge and says so (forgery results, not tested).
    expect(new Set(view.run.results.map((r) => r.measurement.kind))).toEqual(new Set(['forgery', 'replica', 'latency', 'expiry', 'idle', 'entropy', 'rate-limit']));
    expect(view.run.results.filter((r) => r.scenario === 'jwt-attacks').every((r) => r.status === 'not-tested')).toBe(true);
    expect(view.run.targets).toHaveLength(3);
    const replicaLanes = view.timeline.lanes.filter((l) => l.replica !== null);
    expect(replicaLanes.map((l) => l.replica)).toEqual([1, 2, 3]);
    expect(replicaLanes[1].label).toBe('session #1 · replicas @ replica 2');
    const latency = view.timeline.lanes.find((l) => l.latency);
    expect(latency?.latency).toMatchObject({ latency_ms: 2998, resolution_ms: 12 });
    expect(events.at(-1)?.event).toBe('finished');
    const started = events[0] as Extract<RunEvent, { event: 'started' }>;
    expect(started.total_steps).toBe(events.filter((e) => e.event === 'step-started').length);
    // The new checks get findings whose evidence points at the scenario.
    const replicas = view.run.findings.find((f) => f.check_id === 'session.replicas');
    expect(replicas?.status).toBe('fail');
    expect(replicas?.evidence[0].location).toMatch(/^replicas scenario: replica 1 · session #1/);
  });

  it('adds nothing for the default scenarios', async () => {
    const { view, events } = await labRun([], ['lifecycle', 'rotation']);
    expect(view.run.results).toEqual([]);
    expect(events.some((e) => e.event === 'waiting' || e.event === 'result')).toBe(false);
  });
});

describe('Scenarios tab', () => {
  it('is there only for runs with results, and joins the keyboard tab order', async () => {
    const plain = fixture('jwt');
    const a = setup();
    a.app.openRun(plain);
    const r1 = render(RunViewPage, { props: { view: plain }, context: a.context });
    expect(r1.queryByRole('tab', { name: /Scenarios/ })).toBeNull();
    r1.unmount();

    const { view } = await labRun(['slow-revocation']);
    const { app, context } = setup();
    app.openRun(view, 'checklist');
    const r = render(RunViewPage, { props: { view }, context });
    await fireEvent.keyDown(r.getByRole('tab', { name: /Checklist/ }), { key: 'ArrowRight' });
    expect(app.tab).toBe('scenarios');
    await tick();
    expect(r.getByRole('tab', { name: /Scenarios/ })).toHaveAttribute('aria-selected', 'true');
    expect(document.activeElement).toBe(r.getByRole('tab', { name: /Scenarios/ }));
    await fireEvent.keyDown(r.getByRole('tab', { name: /Scenarios/ }), { key: 'ArrowRight' });
    expect(app.tab).toBe('exchanges');
  });

  it('lists results by scenario with each measurement in words, and links to the credential', async () => {
    const { view } = await labRun(['slow-revocation', 'per-replica-store']);
    const { app, context } = setup();
    app.openRun(view, 'scenarios');
    const r = render(RunViewPage, { props: { view }, context });
    const panel = r.getByRole('tabpanel');
    const headings = within(panel).getAllByRole('heading', { level: 2 }).map((h) => h.textContent?.trim().split(/\s/)[0]);
    expect(headings).toEqual(['jwt-attacks', 'replicas', 'latency', 'expiry', 'idle', 'entropy', 'rate-limit']);
    const text = panel.textContent ?? '';
    expect(text).toContain('revoked 2998 ms after logout ± 6 ms (301 polls)');
    expect(text).toContain('accepted after 4 s idle, rejected after 8 s');
    expect(text).toMatch(/Declared expiry\s*\d{4}-\d\d-\d\d/);
    expect(text).toContain('rejected 5 s after its declared expiry');
    expect(text).toContain('https://127.0.0.1:18445/: accepted; replica 2 (where the logout was): rejected');
    expect(text).toContain('about 236.4 bits (compression) from 200 samples');
    expect(text).toMatch(/Alphabet\s*base64/);
    expect(text).toMatch(/Distinct\s*200 of 200/);
    expect(within(panel).getByRole('table')).toHaveTextContent(/per character\s*251\.3/);
    expect(text).toContain('limited at attempt 5 of 5');
    expect(text).toMatch(/Retry-After\s*60/);
    expect(text).toMatch(/Statuses\s*401 ×4, 429/);
    expect(text).toMatch(/Lockout\s*no: the right password still worked/);

    const latency = view.run.results.find((x) => x.measurement.kind === 'latency');
    const link = within(panel).getAllByRole('button', { name: 'session #1 · latency in Tokens' })[0];
    await fireEvent.click(link);
    expect(app.tab).toBe('tokens');
    expect(app.focusedCredential).toBe(latency?.credential_id);
  });

  it('shows the new checks in the checklist with scenario evidence as text', async () => {
    const { view } = await labRun(['weak-session-id'], ['lifecycle', 'entropy', 'idle']);
    const { context } = setup();
    const r = render(ChecklistTab, { props: { run: view.run }, context });
    const entropy = r.container.querySelector('details[data-check="session.entropy"]') as HTMLDetailsElement;
    expect(entropy.dataset.status).toBe('fail');
    expect(entropy.open).toBe(true);
    expect(within(entropy).getByText('entropy scenario: session ids (__Host-sid)')).toBeInTheDocument();
    expect(r.container.querySelector('details[data-check="session.timeout"]')).toHaveAttribute('data-status', 'pass');
  });

  it('says when a credential was never revoked, and why entropy was not estimated', () => {
    expect(
      measurementHeadline({ kind: 'latency', logout_at: 0, last_accepted_at: 29_990, first_rejected_at: null, latency_ms: null, resolution_ms: null, polls: 3000, deadline_ms: 30_000 }),
    ).toBe('not revoked within 30 s (3000 polls)');
    expect(measurementHeadline({ kind: 'entropy', samples: 0, estimate: null, skipped: 'structured tokens' })).toBe('not estimated: structured tokens (0 samples)');
    expect(measurementHeadline({ kind: 'idle', longest_accepted_gap_ms: 16_000, first_rejected_gap_ms: null, probes: 5, max_gap_ms: 900_000 })).toBe(
      'accepted after 16 s idle; not rejected up to the 15m limit',
    );
  });
});

describe('timeline: measured revocation and replicas', () => {
  it('draws the latency band with its uncertainty and label, and one lane per replica', async () => {
    const { view } = await labRun(['slow-revocation', 'per-replica-store'], ['lifecycle', 'replicas', 'latency']);
    const { context } = setup();
    const r = render(TimelineChart, { props: { timeline: view.timeline, zoom: 'run' }, context });
    const band = r.container.querySelector('g.latency') as SVGGElement;
    expect(band).not.toBeNull();
    expect(band.getAttribute('data-revoked')).toBe('yes');
    expect(band.querySelector('rect.uncertainty')).not.toBeNull();
    expect(band.textContent).toBe('revoked after 3 s ± 6 ms');
    const replicaLanes = [...r.container.querySelectorAll('[data-replica]')];
    expect(replicaLanes.map((l) => l.getAttribute('data-replica'))).toEqual(['1', '2', '3']);
    for (const n of [1, 2, 3]) expect(r.container.querySelector('svg')?.textContent).toContain(`replica ${n} · session`);
    // Replicas that kept accepting after the logout on replica 2 show the hatched gap.
    const hatched = replicaLanes.filter((l) => l.querySelector('rect[fill$="-gap)"]'));
    expect(hatched.map((l) => l.getAttribute('data-replica'))).toEqual(['1', '3']);
    // Observed validity and first rejection are drawn, and in the legend.
    expect(r.container.querySelectorAll('rect.observed').length).toBeGreaterThan(0);
    expect(r.container.querySelectorAll('rect.first-rejected').length).toBeGreaterThan(0);
    expect(r.container.textContent).toContain('observed valid (issue → last accepted)');
    const file = serializeSvg(r.container.querySelector('svg') as SVGSVGElement);
    expect(file).toContain('revoked after 3 s ± 6 ms');
    expect(file).toContain('replica 2');
    expect(file).toContain('measured revocation (logout → first rejected');
    // Scaled to the lifetimes, 301 polls 10 ms apart fall within a pixel or two: a few marks are drawn.
    const polls = view.timeline.lanes.find((l) => l.latency)?.marks.filter((m) => m.purpose === 'latency-poll').length;
    expect(polls).toBe(301);
    await r.rerender({ timeline: view.timeline, zoom: 'lifetimes' });
    const drawn = r.container.querySelectorAll('g.mark[aria-label*="after logout"]');
    expect(drawn.length).toBeLessThan(6);
    expect(r.container.querySelector('g.mark[data-count][aria-label*="polls after logout"]')?.getAttribute('aria-label')).toMatch(
      /: \d+ accepted polls after logout from .*, exchanges #\d+ to #\d+\. Open the exchange\.$/,
    );
    expect(r.container.querySelector('g.latency')).not.toBeNull();
  });

  it('says so when the credential was still accepted at the deadline', async () => {
    const { view } = await labRun(['logout-keeps-session'], ['lifecycle', 'latency']);
    const { context } = setup();
    const r = render(TimelineChart, { props: { timeline: view.timeline, zoom: 'run' }, context });
    const band = r.container.querySelector('g.latency') as SVGGElement;
    expect(band.getAttribute('data-revoked')).toBe('no');
    expect(band.textContent).toBe('still accepted at deadline');
  });

  it('gives the table the same facts', async () => {
    const { view } = await labRun(['slow-revocation'], ['lifecycle', 'replicas', 'latency']);
    const { context } = setup();
    const r = render(TimelineTable, { props: { timeline: view.timeline }, context });
    const rows = [...r.container.querySelectorAll('tbody tr')];
    expect(rows).toHaveLength(view.timeline.lanes.length);
    const replica2 = rows.find((row) => row.textContent?.includes('@ replica 2'));
    expect(replica2?.querySelectorAll('td')[0]).toHaveTextContent('replica 2');
    const latencyRow = rows.find((row) => row.textContent?.includes('measured revocation'));
    expect(latencyRow).toHaveTextContent(/measured revocation: revoked after 3 s ± 6 ms/);
    expect(latencyRow).toHaveTextContent(/300 × accepted polled after logout/);
    expect(latencyRow?.querySelectorAll('td')[3]).toHaveTextContent(/after issue/);
    expect(latencyRow?.querySelectorAll('td')[4]).toHaveTextContent(/after issue/);
  });

  it('collapses marks of one verdict and purpose less than a pixel apart', () => {
    const s = makeScale({ start: 0, end: 1000 }, 0, 100); // 10 ms a pixel
    const m = (at: number, verdict: Mark['verdict'] = 'accepted', purpose: Mark['purpose'] = 'latency-poll'): Mark => ({ at, verdict, purpose, exchange_id: at, after_event: 'logout', status: 200 });
    const groups = collapseMarks(s, [m(0), m(3), m(6), m(9), m(12), m(13, 'rejected'), m(14, 'accepted', 'flow'), m(500)]);
    expect(groups.map((g) => [g.mark.at, g.last.at, g.count])).toEqual([
      [0, 9, 4],
      [12, 12, 1],
      [13, 13, 1],
      [14, 14, 1],
      [500, 500, 1],
    ]);
  });
});
