import { fireEvent, render, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../src/App.svelte';
import ExchangesTab from '../src/components/ExchangesTab.svelte';
import ProfilesPage from '../src/components/ProfilesPage.svelte';
import RunViewPage from '../src/components/RunViewPage.svelte';
import TimelineChart from '../src/components/TimelineChart.svelte';
import TokensTab from '../src/components/TokensTab.svelte';
import { BackendError, type Backend } from '../src/lib/backend';
import { createMockBackend } from '../src/lib/mock';
import { fixture, manyExchanges, setup } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

describe('virtualized exchanges', () => {
  it('renders only a window of 10,000 rows and follows scrolling and keys', async () => {
    const v = manyExchanges(10_000);
    const { app, context } = setup();
    app.current = v;
    const r = render(ExchangesTab, { props: { run: v.run }, context });
    // Plain selectors here: role queries walk the whole accessibility tree and are slow in jsdom.
    const list = r.container.querySelector('[role="listbox"][aria-label="Exchanges"]') as HTMLElement;
    const opts = () => [...list.querySelectorAll('[role="option"]')];
    let options = opts();
    expect(options.length).toBeGreaterThan(10);
    expect(options.length).toBeLessThan(50);
    expect(options[0]).toHaveAttribute('aria-setsize', '10000');
    expect(options[0]).toHaveAttribute('aria-posinset', '1');

    list.scrollTop = 24 * 5000;
    await fireEvent.scroll(list);
    options = opts();
    expect(options.length).toBeLessThan(50);
    const positions = options.map((o) => Number(o.getAttribute('aria-posinset')));
    expect(positions).toContain(5001);
    expect(Math.min(...positions)).toBeGreaterThan(4900);

    list.focus();
    await fireEvent.keyDown(list, { key: 'End' });
    expect(app.selectedExchange).toBe(10_000);
    await tick();
    expect(r.container.querySelector('#ex-title')).toHaveTextContent('#10000 probe 10000');
    expect(list.getAttribute('aria-activedescendant')).toMatch(/-9999$/);
    await fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(app.selectedExchange).toBe(9_999);
    expect(opts().length).toBeLessThan(50);
  });

  it('filters rows', async () => {
    const v = manyExchanges(500);
    const { context } = setup();
    const r = render(ExchangesTab, { props: { run: v.run }, context });
    await fireEvent.input(r.getByRole('searchbox', { name: 'Filter exchanges' }), { target: { value: '/item/42' } });
    const opts = within(r.getByRole('listbox')).getAllByRole('option');
    expect(opts.map((o) => o.textContent)).toEqual(expect.arrayContaining([expect.stringContaining('/api/item/42')]));
    expect(opts.length).toBe(1 + 10); // 42 and 420..429
  });
});

describe('timeline picture', () => {
  it('draws marks whose shape says the verdict, the gap, and an accessible table', async () => {
    const v = fixture('hybridFlawed');
    const { context } = setup();
    const r = render(TimelineChart, { props: { timeline: v.timeline, zoom: 'run' }, context });
    const svg = r.container.querySelector('svg');
    expect(svg).toHaveAttribute('role', 'img');
    const accepted = r.getAllByRole('button', { name: /: accepted / });
    const rejected = r.getAllByRole('button', { name: /: rejected / });
    expect(accepted[0].querySelector('circle:not(.ring)')).not.toBeNull();
    expect(rejected[0].querySelector('path')).not.toBeNull();
    expect(rejected[0].querySelector('circle:not(.ring)')).toBeNull();
    expect(r.container.textContent).toContain('revocation gap');
    await fireEvent.focus(accepted[0]);
    const tip = r.getByRole('tooltip');
    expect(tip.textContent).toMatch(/at 2026-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}/);
    expect(tip.textContent).toContain('from start');
  });

  it('marks inconclusive answers with a diamond', () => {
    const v = fixture('jwt');
    v.timeline.lanes[0].marks[0].verdict = 'inconclusive';
    const { context } = setup();
    const r = render(TimelineChart, { props: { timeline: v.timeline, zoom: 'run' }, context });
    const m = r.getAllByRole('button', { name: /: inconclusive / })[0];
    expect(m.querySelector('polygon')).not.toBeNull();
  });

  it('switches zoom and opens exchanges from marks', async () => {
    const v = fixture('hybrid');
    const { app, context } = setup();
    app.openRun(v);
    const r = render(RunViewPage, { props: { view: v }, context });
    const lifetimes = r.getByRole('button', { name: /^Lifetimes/ });
    await fireEvent.click(lifetimes);
    expect(lifetimes).toHaveAttribute('aria-pressed', 'true');
    expect(r.getByRole('table', { hidden: true })).toBeInTheDocument();
    const rows = r.container.querySelectorAll('.visually-hidden tbody tr');
    expect(rows.length).toBe(v.timeline.lanes.length);
    const mark = r.getAllByRole('button', { name: /exchange #2\. Open the exchange/ })[0];
    await fireEvent.keyDown(mark, { key: 'Enter' });
    expect(app.tab).toBe('exchanges');
    expect(app.selectedExchange).toBe(2);
  });
});

describe('run view', () => {
  it('checklist evidence links open the exchange', async () => {
    const v = fixture('sessionFlawed');
    const { app, context } = setup();
    app.openRun(v, 'checklist');
    const r = render(RunViewPage, { props: { view: v }, context });
    const link = r.getAllByRole('button', { name: /^exchange #\d+$/ })[0];
    const id = Number(link.textContent?.replace(/\D/g, ''));
    await fireEvent.click(link);
    expect(app.tab).toBe('exchanges');
    expect(app.selectedExchange).toBe(id);
    await tick();
    expect(r.getByRole('tab', { name: /Exchanges/ })).toHaveAttribute('aria-selected', 'true');
    expect(r.getByRole('heading', { level: 2, name: new RegExp(`^#${id} `) })).toBeInTheDocument();
    expect(r.getAllByRole('button', { name: 'Copy as curl' }).length).toBeGreaterThan(0);
  });

  it('tabs move with arrow keys', async () => {
    const v = fixture('jwt');
    const { app, context } = setup();
    app.openRun(v);
    const r = render(RunViewPage, { props: { view: v }, context });
    const first = r.getByRole('tab', { name: 'Timeline' });
    await fireEvent.keyDown(first, { key: 'ArrowRight' });
    expect(app.tab).toBe('checklist');
    await fireEvent.keyDown(r.getByRole('tab', { name: /Checklist/ }), { key: 'End' });
    expect(app.tab).toBe('tokens');
  });

  it('a failed run shows its error code, not a blank pane', () => {
    const v = fixture('down');
    const { app, context } = setup();
    app.openRun(v);
    const r = render(RunViewPage, { props: { view: v }, context });
    expect(r.getByRole('alert')).toHaveTextContent('flow.request');
    expect(r.getByRole('alert')).toHaveTextContent('connection refused');
  });

  it('tokens count down live', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    const v = fixture('jwt');
    const access = v.run.credentials.find((c) => c.kind === 'access' && c.declared_expiry !== null);
    if (!access?.declared_expiry) throw new Error('fixture has no access token');
    vi.setSystemTime(access.declared_expiry - 252_000);
    const { context } = setup();
    const r = render(TokensTab, { props: { run: v.run }, context });
    const card = r.container.querySelector(`#credential-${access.id}`) as HTMLElement;
    expect(within(card).getByRole('timer')).toHaveTextContent('expires in 4m 12s');
    await vi.advanceTimersByTimeAsync(3000);
    expect(within(card).getByRole('timer')).toHaveTextContent('expires in 4m 9s');
    vi.setSystemTime(access.declared_expiry + 3000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(within(card).getByRole('timer')).toHaveTextContent(/expired [45]s ago/);
    expect(within(card).getByText('expires (exp)')).toBeInTheDocument();
  });
});

describe('app flows', () => {
  it('runs the lab from the Run view and opens the run', async () => {
    const r = render(App, { props: { backend: createMockBackend() } });
    const button = await r.findByRole('button', { name: /Run the lab in session mode/ });
    const hybrid = r.getByRole('radio', { name: /hybrid/ });
    await fireEvent.click(hybrid);
    const flaw = r.getByRole('checkbox', { name: /logout-keeps-session/ });
    await fireEvent.click(flaw);
    expect(r.queryByRole('checkbox', { name: /fixation/ })).toBeNull();
    await fireEvent.click(r.getByRole('button', { name: /Run the lab in hybrid mode with 1 flaw/ }));
    expect(button).toBeDefined();
    await r.findByRole('tab', { name: 'Timeline' });
    expect(r.getByRole('heading', { level: 1 })).toHaveTextContent('Lab: hybrid mode');
    expect(r.getByRole('button', { name: /Open run/ })).toHaveAttribute('aria-current', 'page');
  });

  it('shows backend errors with their code', async () => {
    const failing: Backend = {
      ...createMockBackend(),
      labCatalogue: () => Promise.reject(new BackendError({ code: 'store.open', message: 'database is locked' })),
    };
    const r = render(App, { props: { backend: failing } });
    const alert = await r.findByRole('alert');
    expect(alert).toHaveTextContent('store.open');
    expect(alert).toHaveTextContent('database is locked');
  });

  it('needs a password for a profile run until one is kept in the keychain', async () => {
    const r = render(App, { props: { backend: createMockBackend() } });
    await r.findByRole('button', { name: /Run the lab/ });
    const select = r.getByRole('combobox', { name: 'Profile' });
    await fireEvent.change(select, { target: { value: 'lab-jwt' } });
    await r.findByRole('checkbox', { name: /Remember in the OS keychain/ });
    expect(r.getByRole('button', { name: 'Run profile' })).toBeDisabled();
    await fireEvent.input(r.getByLabelText('Password'), { target: { value: 'wonderland-alice' } });
    expect(r.getByRole('button', { name: 'Run profile' })).toBeEnabled();
  });

  it('history: open and compare two runs', async () => {
    const r = render(App, { props: { backend: createMockBackend() } });
    await fireEvent.click(r.getByRole('button', { name: 'History' }));
    const boxes = await r.findAllByRole('checkbox', { name: /Compare run of/ });
    const hybrid = boxes.find((b) => /Lab: hybrid mode/.test(b.getAttribute('aria-label') ?? ''));
    await fireEvent.click(boxes[0]);
    await fireEvent.click(boxes.at(-1) ?? boxes[1]);
    expect(hybrid).toBeDefined();
    await fireEvent.click(r.getByRole('button', { name: 'Compare 2/2' }));
    await r.findByRole('heading', { name: 'Check statuses' });
    const rows = r.container.querySelectorAll('tr.differs');
    expect(rows.length).toBeGreaterThan(0);
    expect(r.getAllByRole('img').length).toBe(2);
  });
});

describe('profiles', () => {
  it('validates as you type (debounced) and saves', async () => {
    const backend = createMockBackend();
    const spy = vi.spyOn(backend, 'profileValidate');
    const { context } = setup(backend);
    const r = render(ProfilesPage, { context });
    await fireEvent.click(await r.findByRole('button', { name: 'lab-jwt' }));
    await r.findByText(/✓ Valid profile/);
    await fireEvent.click(r.getByRole('tab', { name: 'TOML' }));
    const area = r.getByRole('textbox', { name: 'Profile TOML' }) as HTMLTextAreaElement;
    spy.mockClear();
    for (const text of ['name = "x"\n[lgin]', 'name = "x"\n[login]\nwhat', 'name = "x"\nbase_url = "u"\n[logn]\n']) {
      await fireEvent.input(area, { target: { value: text } });
    }
    await r.findByText(/Line 3, column 1 · key logn/);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(area).toHaveAttribute('aria-invalid', 'true');
    expect(r.getByRole('button', { name: 'Save' })).toBeDisabled();
    await fireEvent.input(area, { target: { value: 'name = "Mine"\nbase_url = "https://m"\n[login]\n[probe]\n' } });
    await r.findByText(/✓ Valid profile: Mine/);
    await fireEvent.click(r.getByRole('button', { name: 'Save' }));
    await r.findByText('Saved.');
  });
});
