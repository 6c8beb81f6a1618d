// Every byte the app shows comes from a server it does not trust. Run a profile against a server that puts
// script payloads in bodies, headers, cookies and JWT claims, show every view of the run (every exchange,
// every finding, every token, history, compare, profiles), and check after each one that no payload ran and
// none became markup: the sentinel global stays undefined, and the DOM holds no element or attribute that
// only a payload could have created.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { By } from 'selenium-webdriver';
import { clickButton, find, nav, runProfile, saveProfile, screenshot, tab, useApp, waitFor } from './lib/app.mjs';
import { hostileProfile, PAYLOADS, SENTINEL, startHostileServer } from './lib/hostile-server.mjs';

/** Runs in the page: what a payload would have left behind, as a list of findings (empty when clean). */
const INSPECT = `
  const sentinel = arguments[0];
  const bad = [];
  if (typeof window[sentinel] !== 'undefined') bad.push('sentinel set to ' + String(window[sentinel]));
  for (const el of document.querySelectorAll('*')) {
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name)) bad.push(el.tagName + ' has event attribute ' + a.name);
      if (/^(href|src|xlink:href|action|formaction|data)$/i.test(a.name) && /^\\s*(javascript|data:text\\/html)/i.test(a.value))
        bad.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 60));
    }
  }
  const onlyPayloads = 'img[src="x"], iframe:not([sandbox=""]), script:not([src]), math, mglyph, details[ontoggle], a[href^="javascript"]';
  for (const el of document.querySelectorAll(onlyPayloads)) bad.push('payload element ' + el.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll('style')) if (el.textContent.includes(sentinel)) bad.push('payload style element');
  return bad;
`;

describe('injection corpus: hostile content is shown as text only', () => {
  const app = useApp();
  let server;

  const assertClean = async (where) => {
    // An onerror or onload would fire asynchronously: give it the chance.
    await app.driver.sleep(150);
    const bad = await app.driver.executeScript(INSPECT, SENTINEL);
    assert.deepEqual(bad, [], `after ${where}: ${bad.join('; ')}`);
  };

  before(async () => {
    server = await startHostileServer();
  });

  after(async () => {
    await server?.close();
  });

  it('runs the hostile profile twice', async () => {
    await saveProfile(app.driver, 'hostile', hostileProfile(server.url));
    await assertClean('saving the hostile profile');
    for (let i = 0; i < 2; i++) {
      const title = await runProfile(app.driver, 'hostile', `pw-${i}`);
      assert.match(title, /Hostile <img src=x onerror=/, 'the payload in the profile name shows as text');
      await assertClean(`run ${i + 1}`);
    }
  });

  it('timeline: every lane, mark and event, focused for its tooltip', async () => {
    await tab(app.driver, 'timeline');
    const targets = await app.driver.findElements(By.css('#panel-timeline svg [tabindex="0"]'));
    assert.ok(targets.length > 0, 'the timeline has focusable lanes and marks');
    for (const t of targets) await app.driver.executeScript('arguments[0].focus()', t);
    await assertClean('the timeline and its tooltips');
    await screenshot(app.driver, 'injection-timeline');
  });

  it('checklist: every finding expanded', async () => {
    await tab(app.driver, 'checklist');
    for (const d of await app.driver.findElements(By.css('#panel-checklist details'))) {
      if ((await d.getAttribute('open')) === null) await app.driver.executeScript('arguments[0].open = true', d);
    }
    await assertClean('every finding expanded');
  });

  it('exchanges: every exchange opened, payloads visible as text', async () => {
    await tab(app.driver, 'exchanges');
    const rows = await app.driver.findElements(By.css('#panel-exchanges [role=option]'));
    assert.ok(rows.length >= 5, `exchanges listed: ${rows.length}`);
    await rows[0].click();
    let sawPayloadText = false;
    for (let i = 0; i < rows.length; i++) {
      const detail = await find(app.driver, By.css('#panel-exchanges .detail-pane'), 'the exchange detail');
      const text = await detail.getText();
      if (text.includes('<script>window.__authlensPwned=2</script>')) sawPayloadText = true;
      await assertClean(`exchange ${i + 1}`);
      await app.driver.actions().sendKeys('\uE015').perform(); // ArrowDown to the next one
    }
    assert.ok(sawPayloadText, 'the script payload is shown, as text, somewhere in the exchanges');
    await screenshot(app.driver, 'injection-exchanges');
  });

  it('cookies and tokens', async () => {
    await tab(app.driver, 'cookies');
    const cookies = await find(app.driver, By.css('#panel-cookies'), 'the cookies panel');
    assert.match(await cookies.getText(), /img_src_x_onerror/, 'the hostile cookie name shows as text');
    await assertClean('the cookies tab');
    await tab(app.driver, 'tokens');
    const tokens = await find(app.driver, By.css('#panel-tokens'), 'the tokens panel');
    await waitFor(app.driver, async () => (await tokens.getText()).includes(PAYLOADS[1]), 'the JWT claim payload as text');
    await assertClean('the tokens tab');
    await screenshot(app.driver, 'injection-tokens');
  });

  it('history, compare and profiles', async () => {
    await nav(app.driver, 'History');
    const boxes = await waitFor(app.driver, async () => {
      const b = await app.driver.findElements(By.css('table.data-table tbody input[type=checkbox]'));
      return b.length >= 2 && b;
    }, 'both hostile runs in the history');
    await assertClean('the history');
    await boxes[0].click();
    await boxes[1].click();
    await clickButton(app.driver, 'Compare 2/2');
    await find(app.driver, By.css('#compare-title'), 'the Compare view');
    await assertClean('compare');
    await nav(app.driver, 'Profiles');
    await (await find(app.driver, By.xpath("//aside//button[normalize-space(.)='hostile']"), 'the saved hostile profile')).click();
    await (await find(app.driver, By.css('#profile-view-toml'), 'the TOML tab')).click();
    await find(app.driver, By.css('textarea'), 'the profile editor');
    await assertClean('the profile TOML');
    await (await find(app.driver, By.css('#profile-view-form'), 'the Form tab')).click();
    const form = await find(app.driver, By.css('#profile-panel-form'), 'the profile form');
    // The hostile display name is in a form field, as a value.
    await waitFor(app.driver, async () => (await form.findElements(By.css('input'))).length > 3, 'the form fields');
    await assertClean('the profile form');
    await screenshot(app.driver, 'injection-profile-form');
  });

  it('after a restart, the hostile profile reaches the first view as data, not script', async () => {
    await app.relaunch({ dataDir: app.dataDir });
    const options = await app.driver.findElements(By.css("section[aria-labelledby='profile-run-title'] option"));
    const names = await Promise.all(options.map((o) => o.getText()));
    assert.ok(names.includes('hostile'), `profiles offered: ${names.join(', ')}`);
    await assertClean('a restart with the hostile profile saved');
  });
});

describe('the injection inspector itself', () => {
  const app = useApp();

  it('catches a payload planted in the page (so a clean result means something)', async () => {
    // Plant what a `{@html}` of PAYLOADS[0] would create, through the DOM API, without running it.
    await app.driver.executeScript(`
      const img = document.createElement('img');
      img.setAttribute('src', 'x');
      img.setAttribute('onerror', 'void 0');
      document.body.appendChild(img);
      const a = document.createElement('a');
      a.setAttribute('href', 'javascript:void 0');
      document.body.appendChild(a);
      window[arguments[0]] = 1;`, SENTINEL);
    const bad = await app.driver.executeScript(INSPECT, SENTINEL);
    assert.ok(bad.some((b) => b.startsWith('sentinel set')), bad.join('; '));
    assert.ok(bad.some((b) => b.includes('event attribute onerror')), bad.join('; '));
    assert.ok(bad.some((b) => b.includes('javascript')), bad.join('; '));
  });
});
