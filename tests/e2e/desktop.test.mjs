// The lesson in the real window: the lab's JWT mode leaves a revocation gap after logout, its session mode
// does not; a flaw switch turns its check red; an exchange opens from the evidence; two runs compare side by
// side. Screenshots of each view land in docs/screenshots.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { By } from 'selenium-webdriver';
import {
  byText,
  checkStatus,
  clickButton,
  find,
  lanes,
  nav,
  runLab,
  runProfile,
  saveProfile,
  screenshot,
  tab,
  useApp,
  waitFor,
  waitForRunView,
} from './lib/app.mjs';

describe('desktop app against the bundled lab', () => {
  const app = useApp();

  it('opens on the Run view with the lab card', async () => {
    const modes = await app.driver.findElements(By.css("input[name='lab-mode']"));
    const values = await Promise.all(modes.map((m) => m.getAttribute('value')));
    assert.deepEqual(values.sort(), ['hybrid', 'jwt', 'session']);
    // The first view was painted from the data the app handed over at start-up.
    const boot = await app.driver.executeScript('return window.__AUTHLENS_BOOT__ && window.__AUTHLENS_BOOT__.lab.modes.length');
    assert.equal(boot, 3);
    await screenshot(app.driver, 'run');
  });

  it('JWT mode: access and refresh lanes, and the access token is still accepted after logout', async () => {
    const title = await runLab(app.driver, 'jwt');
    assert.match(title, /JWT/i);
    const ls = await waitFor(app.driver, async () => {
      const l = await lanes(app.driver);
      return l.length > 0 && l;
    }, 'timeline lanes');
    const kinds = new Set(ls.map((l) => l.kind));
    assert.ok(kinds.has('access'), `lanes: ${JSON.stringify(ls)}`);
    assert.ok(kinds.has('refresh'), `lanes: ${JSON.stringify(ls)}`);
    const gaps = ls.filter((l) => l.gap);
    assert.ok(gaps.length > 0, `expected a revocation gap, lanes: ${JSON.stringify(ls)}`);
    assert.ok(gaps.every((l) => l.kind === 'access'), `only access tokens outlive logout: ${JSON.stringify(gaps)}`);
    // The gap is drawn and labelled in words, not colour alone.
    const chart = await find(app.driver, By.css('#panel-timeline svg[role=img]'), 'the timeline chart');
    assert.match(await chart.getText(), /revocation gap/);
    await screenshot(app.driver, 'timeline-jwt');

    // Export: both files land in the downloads folder, the SVG with the lanes and the gap in it.
    const downloads = join(app.dataDir, 'downloads');
    await clickButton(app.driver, 'Export SVG');
    await clickButton(app.driver, 'Export PNG');
    await find(app.driver, byText('p', 'in your Downloads folder'), 'the export confirmation');
    const files = await waitFor(app.driver, async () => {
      const f = existsSync(downloads) ? readdirSync(downloads) : [];
      return f.some((n) => n.endsWith('.svg')) && f.some((n) => n.endsWith('.png')) && f;
    }, 'the exported SVG and PNG in the downloads folder');
    const svgText = readFileSync(join(downloads, files.find((n) => n.endsWith('.svg'))), 'utf8');
    assert.match(svgText, /^<\?xml [^>]*\?>\s*<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svgText, /revocation gap/);
    const png = readFileSync(join(downloads, files.find((n) => n.endsWith('.png'))));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');

    await tab(app.driver, 'tokens');
    await find(app.driver, byText('h4', 'Claims'), 'decoded JWT claims');
    await screenshot(app.driver, 'tokens');

    await tab(app.driver, 'checklist');
    assert.equal(await checkStatus(app.driver, 'refresh.rotation'), 'pass');
    assert.equal(await checkStatus(app.driver, 'refresh.reuse'), 'pass');
    await screenshot(app.driver, 'checklist');
  });

  it('session mode: a session cookie lane, revoked at logout, so no gap', async () => {
    await runLab(app.driver, 'session');
    const ls = await waitFor(app.driver, async () => {
      const l = await lanes(app.driver);
      return l.length > 0 && l;
    }, 'timeline lanes');
    assert.ok(ls.some((l) => l.kind === 'session'), `lanes: ${JSON.stringify(ls)}`);
    assert.deepEqual(ls.filter((l) => l.gap), [], 'no credential is accepted after logout');
    await screenshot(app.driver, 'timeline-session');

    await tab(app.driver, 'checklist');
    assert.equal(await checkStatus(app.driver, 'cookie.httponly'), 'pass');
    assert.equal(await checkStatus(app.driver, 'session.logout'), 'pass');

    await tab(app.driver, 'cookies');
    await find(app.driver, byText('h2', 'Cookie credentials'), 'the cookie credentials table');
    await screenshot(app.driver, 'cookies');
  });

  it('a flaw switch turns its check red, and its evidence opens the exchange', async () => {
    await runLab(app.driver, 'session', ['no-httponly']);
    await tab(app.driver, 'checklist');
    assert.equal(await checkStatus(app.driver, 'cookie.httponly'), 'fail');
    // Every other cookie check keeps its verdict.
    assert.equal(await checkStatus(app.driver, 'cookie.secure'), 'pass');

    const finding = await find(app.driver, By.css("#panel-checklist details[data-check='cookie.httponly']"), 'the HttpOnly finding');
    if ((await finding.getAttribute('open')) === null) await finding.findElement(By.css('summary')).click();
    const evidence = await finding.findElement(By.xpath(".//button[starts-with(normalize-space(.), 'exchange #')]"));
    const exchangeId = (await evidence.getText()).replace(/\D+/g, '');
    await app.driver.executeScript('arguments[0].scrollIntoView({block: "center"})', evidence);
    await screenshot(app.driver, 'checklist-flaw');
    await evidence.click();

    // The Exchanges tab opens on that exchange: its Set-Cookie line lacks HttpOnly.
    const heading = await find(app.driver, By.css('#panel-exchanges #ex-title'), 'the exchange detail');
    assert.match(await heading.getText(), new RegExp(`^#${exchangeId}\\b`));
    const detail = await find(app.driver, By.css('#panel-exchanges .detail-pane'), 'the detail pane');
    await waitFor(app.driver, async () => /Set-Cookie lines/.test(await detail.getText()), 'raw Set-Cookie lines');
    const text = await detail.getText();
    assert.match(text, /Request headers/);
    assert.match(text, /sid=|session/i);
    await screenshot(app.driver, 'exchanges');
  });

  it('an exchange opens from the list, and arrow keys move through it', async () => {
    await tab(app.driver, 'exchanges');
    const rows = await app.driver.findElements(By.css('#panel-exchanges [role=option]'));
    assert.ok(rows.length >= 5, `exchanges listed: ${rows.length}`);
    await rows[0].click();
    const heading = await find(app.driver, By.css('#panel-exchanges #ex-title'), 'the exchange detail');
    await waitFor(app.driver, async () => (await heading.getText()).startsWith('#1 '), 'exchange #1 to open');
    await app.driver.actions().sendKeys('\uE015').perform(); // ArrowDown
    await waitFor(
      app.driver,
      async () => (await app.driver.findElement(By.css('#panel-exchanges #ex-title')).getText()).startsWith('#2 '),
      'ArrowDown to open exchange #2',
    );
  });

  it('history lists the runs, and Compare puts session and JWT side by side', async () => {
    await nav(app.driver, 'History');
    const boxes = await waitFor(app.driver, async () => {
      const b = await app.driver.findElements(By.css('table.data-table tbody input[type=checkbox]'));
      return b.length >= 3 && b;
    }, 'three runs in the history');
    await screenshot(app.driver, 'history');
    // Newest first: [session+flaw, session, jwt]. Compare the clean session run with the JWT run.
    const labels = await Promise.all(boxes.map((b) => b.getAttribute('aria-label')));
    const session = labels.findIndex((l) => /session/i.test(l));
    const jwt = labels.findIndex((l) => /JWT/i.test(l));
    assert.ok(session >= 0 && jwt >= 0, `history rows: ${labels.join(' | ')}`);
    await boxes[labels.findIndex((l, i) => i > 0 && /session/i.test(l))].click();
    await boxes[jwt].click();
    await clickButton(app.driver, 'Compare 2/2');

    await find(app.driver, By.css('#compare-title'), 'the Compare view');
    const diff = await find(app.driver, By.css('table.diff'), 'the check status diff');
    await waitFor(app.driver, async () => /session\.logout/.test(await diff.getText()), 'session.logout in the diff');
    const charts = await app.driver.findElements(By.css('svg[role=img]'));
    assert.equal(charts.length, 2, 'two timelines side by side');
    const gapsPerChart = [];
    for (const c of charts) gapsPerChart.push((await c.findElements(By.css("g[data-gap='yes']"))).length);
    assert.deepEqual(gapsPerChart.map((n) => n > 0).sort(), [false, true], `gaps per chart: ${gapsPerChart}`);
    await screenshot(app.driver, 'compare');
  });

  it('a profile against a server that is down shows a clear error, not a blank pane', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const toml = 'name = "Down"\nbase_url = "http://127.0.0.1:9"\n\n[user]\nusername = "alice"\n\n[login]\nmethod = "POST"\npath = "/login"\n\n[probe]\nmethod = "GET"\npath = "/me"\n';
    await saveProfile(app.driver, 'down-server', toml);
    await screenshot(app.driver, 'profiles-toml');
    await (await find(app.driver, By.css('#profile-view-form'), 'the Form tab')).click();
    await find(app.driver, By.css('#profile-panel-form input'), 'the profile form');
    await find(app.driver, byText('span', 'Valid profile'), 'the form to be validated');
    await screenshot(app.driver, 'profiles');
    const panel = await runProfile(app.driver, 'down-server', 'not-a-real-password', { expect: 'error' });
    await waitFor(app.driver, async () => /refused|connect|127\.0\.0\.1:9/i.test(await panel.getText()), 'the error to name the problem');
  });

  it('a run against a server that never answers shows its progress and can be cancelled', async () => {
    // Accepts the connection and the login request, never answers: the run waits on its read timeout.
    const hanging = createServer(() => {});
    await new Promise((ok) => hanging.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${hanging.address().port}`;
      const toml = `name = "Hanging"\nbase_url = "${url}"\n\n[user]\nusername = "alice"\n\n[login]\nmethod = "POST"\npath = "/login"\n\n[probe]\nmethod = "GET"\npath = "/me"\n`;
      await saveProfile(app.driver, 'hanging-server', toml);
      await runProfile(app.driver, 'hanging-server', 'pw', { expect: 'started' });

      await find(app.driver, By.css("progress[aria-label='Run progress']"), 'the run progress');
      await find(app.driver, By.xpath("//nav//*[normalize-space(.)='running']"), 'the running badge in the navigation');
      await screenshot(app.driver, 'run-progress');
      await clickButton(app.driver, 'Cancel');
      const title = await waitForRunView(app.driver, 30_000);
      assert.match(title, /Hanging/);
      const status = await find(app.driver, By.css('.run-status'), 'the run status');
      assert.equal((await status.getText()).toLowerCase(), 'cancelled');
      await find(app.driver, byText('*', 'The run was cancelled'), 'the cancellation explained');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});
