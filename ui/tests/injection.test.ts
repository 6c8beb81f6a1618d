import { fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ChecklistTab from '../src/components/ChecklistTab.svelte';
import CookiesTab from '../src/components/CookiesTab.svelte';
import ExchangesTab from '../src/components/ExchangesTab.svelte';
import RunProgress from '../src/components/RunProgress.svelte';
import RunViewPage from '../src/components/RunViewPage.svelte';
import ScenariosTab from '../src/components/ScenariosTab.svelte';
import TimelineTab from '../src/components/TimelineTab.svelte';
import TokensTab from '../src/components/TokensTab.svelte';
import { serializeSvg } from '../src/lib/download';
import { applyEvent, initialProgress } from '../src/lib/progress';
import { setup } from './helpers';
import { hostileView, PAYLOADS } from './hostile';

declare global {
  interface Window {
    __pwned?: number;
  }
}

function assertInert(root: HTMLElement) {
  expect(window.__pwned).toBeUndefined();
  expect(root.querySelectorAll('img, script, iframe, object, embed, foreignObject').length).toBe(0);
  expect(root.querySelectorAll('img[src="x"]').length).toBe(0);
  expect(root.querySelectorAll('a').length).toBe(0);
  for (const el of root.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on'), `${el.tagName} has ${attr.name}`).toBe(false);
      expect(/^\s*javascript:/i.test(attr.value), `${el.tagName} ${attr.name}=${attr.value}`).toBe(false);
    }
  }
  // The payload is there, as text.
  expect(root.textContent).toContain('<img src=x onerror="window.__pwned=1">');
}

describe('captured content renders as text only', () => {
  beforeEach(() => {
    delete window.__pwned;
  });
  afterEach(() => {
    expect(window.__pwned).toBeUndefined();
  });

  it('Exchanges: list and detail of every hop', async () => {
    const v = hostileView();
    const { app, context } = setup();
    app.current = v;
    for (const x of v.run.exchanges.slice(0, 3)) {
      app.selectedExchange = x.id;
      const r = render(ExchangesTab, { props: { run: v.run }, context });
      await tick();
      assertInert(r.container);
      r.unmount();
    }
  });

  it('Checklist: every finding expanded', async () => {
    const v = hostileView();
    const { context } = setup();
    const r = render(ChecklistTab, { props: { run: v.run }, context });
    await fireEvent.click(r.getByText('Expand all'));
    await tick();
    expect(r.container.querySelectorAll('details[open]').length).toBe(v.run.findings.length);
    assertInert(r.container);
  });

  it('Tokens: decoded JWT header and claims, opaque tokens', async () => {
    const v = hostileView();
    const { context } = setup();
    const r = render(TokensTab, { props: { run: v.run }, context });
    await tick();
    assertInert(r.container);
    expect(r.container.textContent).toContain('far future');
  });

  it('Timeline: SVG picture, tooltips, table, and the exported file', async () => {
    const v = hostileView();
    const { context } = setup();
    const r = render(TimelineTab, { props: { view: v }, context });
    await tick();
    const marks = r.container.querySelectorAll('svg [role="button"]');
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) await fireEvent.focus(m);
    await tick();
    assertInert(r.container);
    expect(r.container.querySelectorAll('svg').length).toBe(1);
    const svg = r.container.querySelector('svg');
    expect(svg).not.toBeNull();
    const file = serializeSvg(svg as SVGSVGElement);
    expect(file).not.toMatch(/<(img|script|iframe|a)[\s>]/i);
    expect(file).toContain('&lt;img src=x');
    // Parsed back as a standalone SVG document: still no script, no handlers.
    const doc = new DOMParser().parseFromString(file, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    expect(doc.querySelectorAll('script, img, foreignObject, a, iframe').length).toBe(0);
    for (const el of doc.querySelectorAll('*')) {
      for (const attr of el.attributes) expect(attr.name.startsWith('on')).toBe(false);
    }
  });

  it('Scenarios: results of every measurement kind', async () => {
    const v = hostileView();
    const { context } = setup();
    const r = render(ScenariosTab, { props: { run: v.run }, context });
    await tick();
    expect(r.container.querySelectorAll('[data-kind]').length).toBe(6);
    assertInert(r.container);
    // The server's Retry-After and the replica's URL are shown as text too.
    expect(r.container.textContent).toContain('60 <img src=x');
    expect(r.container.textContent).toContain('18444/ <img src=x');
  });

  it('Progress: the countdown reason and streamed results', async () => {
    const v = hostileView();
    const { app, context } = setup();
    let progress = applyEvent(initialProgress(), { event: 'started', run_id: 'r', profile: v.run.profile_name, total_steps: 3 });
    for (const result of v.run.results) progress = applyEvent(progress, { event: 'result', result });
    progress = applyEvent(progress, { event: 'waiting', scenario: v.run.results[0].scenario, until: Date.now() + 5000, reason: v.run.results[0].summary, credential_ids: [1] });
    app.active = { requestId: 'r', progress, cancelling: false };
    const r = render(RunProgress, { context });
    await tick();
    expect(r.getByRole('timer')).toBeInTheDocument();
    assertInert(r.container);
  });

  it('Cookies and the run header', async () => {
    const v = hostileView();
    const { app, context } = setup();
    app.current = v;
    const c = render(CookiesTab, { props: { run: v.run, jars: v.jars }, context });
    assertInert(c.container);
    c.unmount();
    const h = render(RunViewPage, { props: { view: v }, context });
    await tick();
    assertInert(h.container);
  });

  it('bidi overrides are shown, not obeyed', async () => {
    const v = hostileView();
    const { context } = setup();
    const r = render(ChecklistTab, { props: { run: v.run }, context });
    expect(r.container.textContent).toContain('\\u{202e}evil');
    expect(PAYLOADS.length).toBeGreaterThan(3);
  });
});
