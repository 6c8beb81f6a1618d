import { fireEvent, render, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import CookiesTab from '../src/components/CookiesTab.svelte';
import RunViewPage from '../src/components/RunViewPage.svelte';
import { defaultJarStep, jarCounts, jarScenarios, jarStepTitle, sameValueAsBefore } from '../src/lib/cookies';
import { fixtureRuns } from '../src/lib/fixtures';
import { shiftView, truncateView } from '../src/lib/mock';
import { fixture, setup } from './helpers';

const SID = '__Host-sid';

function jarTable(container: HTMLElement): HTMLTableElement {
  const t = container.querySelector('table[aria-labelledby="jar-step-title"]');
  expect(t).not.toBeNull();
  return t as HTMLTableElement;
}

function rowOf(table: HTMLTableElement, name: string): HTMLTableRowElement {
  const row = [...table.querySelectorAll('tbody tr')].find((r) => r.querySelector('th')?.textContent?.includes(name));
  expect(row, `row ${name}`).toBeDefined();
  return row as HTMLTableRowElement;
}

describe('the recorded jars (fixtures)', () => {
  it('one jar step per exchange, in order, in every fixture', () => {
    for (const [name, v] of Object.entries(fixtureRuns)) {
      expect(
        v.jars.map((j) => j.exchange_id),
        name,
      ).toEqual(v.run.exchanges.map((x) => x.id));
    }
  });

  it('session: the login cookie is HttpOnly and Secure; logout replaces it with an anonymous one', () => {
    const { jars } = fixture('session');
    const login = jars[defaultJarStep(jars)];
    expect(login.label).toBe('login');
    const sid = login.cookies.find((c) => c.name === SID);
    expect(sid).toMatchObject({ change: 'updated', http_only: true, secure: true, host_only: true, path: '/', same_site: 'Lax' });
    expect(sid?.value_len).toBe(43);
    expect(sid?.expires).not.toBeNull();
    expect(sameValueAsBefore(jars, defaultJarStep(jars), sid!)).toBe(false);

    const logout = jars.find((j) => j.label === 'logout')!;
    expect(logout.received.map((r) => r.outcome)).toEqual(['deleted', 'added']);
    const after = logout.cookies.find((c) => c.name === SID)!;
    expect(after.expires).toBeNull();
    expect(after.value).not.toBe(sid?.value);
    for (const j of jars.filter((x) => x.purpose !== 'flow')) {
      expect(j.applied).toBe(false);
      expect(jarCounts(j)).toMatchObject({ added: 0, updated: 0, deleted: 0, expired: 0 });
    }
  });

  it('the fixation flaw shows as a session cookie re-set with the same value at login', () => {
    const { jars } = fixture('sessionFlawed');
    const i = defaultJarStep(jars);
    const sid = jars[i].cookies.find((c) => c.name === SID)!;
    expect(sameValueAsBefore(jars, i, sid)).toBe(true);
  });

  it('hybrid: two scenarios, each from an empty jar; logout deletes the refresh cookie', () => {
    const { jars } = fixture('hybrid');
    expect(jarScenarios(jars).map((g) => g.scenario)).toEqual(['lifecycle', 'rotation']);
    const logout = jars.find((j) => j.label === 'logout')!;
    expect(logout.cookies.map((c) => [c.name, c.change])).toEqual([['__Secure-refresh', 'deleted']]);
    const rotationLogin = jarScenarios(jars)[1].steps[0].step;
    expect(rotationLogin.cookies.map((c) => c.change)).toEqual(['added']);
    expect(jarStepTitle(rotationLogin)).toBe('after login');
    const replay = jars.find((j) => j.purpose === 'reuse-after-rotation')!;
    expect(jarStepTitle(replay)).toMatch(/own jar, discarded\)$/);
  });

  it('the mock keeps jars honest when it moves and truncates a run', () => {
    const v = shiftView(fixture('session'), 60_000);
    const orig = fixture('session');
    expect(v.jars[1].at).toBe(orig.jars[1].at + 60_000);
    expect(v.jars[1].cookies[0].expires).toBe((orig.jars[1].cookies[0].expires ?? 0) + 60_000);
    const t = truncateView(fixture('hybrid'), 3);
    expect(t.jars.map((j) => j.exchange_id)).toEqual([1, 2, 3]);
  });
});

describe('CookiesTab: the jar after each step', () => {
  it('opens on the jar after login, with every attribute and the verdict', () => {
    const v = fixture('session');
    const { context } = setup();
    const r = render(CookiesTab, { props: { run: v.run, jars: v.jars }, context });
    const picker = r.getByRole('group', { name: 'Show the jar' });
    expect(within(picker).getByRole('radio', { name: /#2 after login/ })).toBeChecked();
    expect(r.getByRole('heading', { name: /Jar after login/ })).toBeInTheDocument();
    const row = rowOf(jarTable(r.container), SID);
    const text = row.textContent ?? '';
    expect(text).toContain('↻ updated');
    expect(text).toContain('value 43 bytes');
    expect(text).toContain('new value');
    expect(text).toContain('127.0.0.1 (host only)');
    expect(text).toContain('✓ a browser stores it');
    expect(text).toContain('exchange #2');
    expect(text).toMatch(/in 29m 59s|in 30m/);
    const cells = [...row.querySelectorAll('td')].map((c) => c.textContent?.trim());
    expect(cells.filter((c) => c === '✓ yes').length).toBe(2); // Secure, HttpOnly
    expect(cells).toContain('Lax');
    expect(cells).toContain('✗ no'); // not Partitioned
  });

  it('steps through logout and a replay, with badges in words and icons', async () => {
    const v = fixture('session');
    const { context } = setup();
    const r = render(CookiesTab, { props: { run: v.run, jars: v.jars }, context });
    await fireEvent.click(r.getByRole('radio', { name: /^#\d+ after logout/ }));
    await tick();
    expect(r.getByRole('heading', { name: /Jar after logout/ })).toBeInTheDocument();
    const row = rowOf(jarTable(r.container), SID);
    expect(row.textContent).toContain('session cookie');
    expect(row.textContent).toContain('length unknown (redacted)');
    const received = r.getByRole('table', { name: /Set-Cookie received at this step/ });
    expect(received.textContent).toContain('✗ deleted the jar’s cookie');
    expect(received.textContent).toContain('+ added to the jar');

    await fireEvent.click(r.getByRole('radio', { name: /replay session #1 after logout/ }));
    await tick();
    expect(r.getByRole('note').textContent).toContain('discarded');
    expect(rowOf(jarTable(r.container), SID).textContent).toContain('= unchanged');
  });

  it('shows deleted cookies struck through and labelled, not by colour alone', async () => {
    const v = fixture('hybrid');
    const { context } = setup();
    const r = render(CookiesTab, { props: { run: v.run, jars: v.jars }, context });
    const logouts = r.getAllByRole('radio', { name: /^#\d+ after logout/ });
    await fireEvent.click(logouts[0]);
    await tick();
    const row = rowOf(jarTable(r.container), '__Secure-refresh');
    expect(row.classList.contains('gone')).toBe(true);
    expect(row.textContent).toContain('✗ deleted');
    expect(r.container.textContent).toContain('0 cookies');
  });

  it('without jars it says so, and the Set-Cookie tables still render', () => {
    const v = fixture('down');
    const { context } = setup();
    const r = render(CookiesTab, { props: { run: v.run, jars: [] }, context });
    expect(r.container.textContent).toContain('no jar to show');
    expect(r.getByRole('heading', { name: /Every Set-Cookie/ })).toBeInTheDocument();
  });

  it('the run view passes its jars to the Cookies tab', async () => {
    const v = fixture('jwt');
    const { app, context } = setup();
    app.current = v;
    app.tab = 'cookies';
    const r = render(RunViewPage, { props: { view: v }, context });
    await tick();
    expect(r.getByRole('group', { name: 'Show the jar' })).toBeInTheDocument();
    expect(r.getByRole('heading', { name: /Jar after login/ })).toBeInTheDocument();
  });
});
