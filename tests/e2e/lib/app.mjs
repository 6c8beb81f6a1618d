// One Authlens window per test file: tauri-driver (which drives WebKitWebDriver) launches the real desktop
// binary with a fresh data directory, and the helpers below drive it the way a user would: by labels, roles
// and visible text. Every wait is bounded and fails with what it was waiting for.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Builder, By, Capabilities, until } from 'selenium-webdriver';

export { By };

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');

/** The desktop binary under test: AUTHLENS_APP, or the debug build in the workspace's target dir. */
export function appBinary() {
  if (process.env.AUTHLENS_APP) return resolve(process.env.AUTHLENS_APP);
  const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repoRoot, 'target');
  return join(target, 'debug', 'authlens-desktop');
}

/** Where screenshots go: docs/screenshots, so the README shows what this run saw. */
export const screenshotDir = process.env.AUTHLENS_SCREENSHOTS ?? join(repoRoot, 'docs', 'screenshots');

const WAIT_MS = 30_000;

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitForPort(port, proc, log) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`tauri-driver exited with ${proc.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on 127.0.0.1:${port} within 20 s:\n${log()}`);
}

/**
 * Launch the app (with a fresh data directory unless given one). Returns { driver, dataDir, close }. `close` ends the WebDriver session (which closes the
 * window) and stops tauri-driver; call it in `after`.
 */
export async function launchApp({ dataDir = mkdtempSync(join(tmpdir(), 'authlens-e2e-')) } = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  let output = '';
  const driverProc = spawn(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort)],
    {
      // The app inherits this environment through WebKitWebDriver: its history and lab certificate go to a
      // throwaway directory, never the user's.
      env: {
        ...process.env,
        AUTHLENS_DATA_DIR: dataDir,
        AUTHLENS_DOWNLOAD_DIR: join(dataDir, 'downloads'),
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  driverProc.stdout.on('data', keep);
  driverProc.stderr.on('data', keep);
  await waitForPort(port, driverProc, () => output);

  const caps = new Capabilities();
  caps.setBrowserName('wry');
  caps.set('tauri:options', { application: appBinary() });
  let driver;
  try {
    driver = await new Builder().withCapabilities(caps).usingServer(`http://127.0.0.1:${port}/`).build();
  } catch (e) {
    driverProc.kill();
    throw new Error(`could not open the app ${appBinary()} through tauri-driver: ${e.message}\n${output}`);
  }
  await driver.manage().setTimeouts({ script: WAIT_MS, pageLoad: WAIT_MS });

  const close = async () => {
    try {
      await driver.quit();
    } catch {
      // the window may already be gone
    }
    driverProc.kill();
    // An app that outlives its WebDriver session (quit answered before the window closed) keeps this file's
    // pipes open and the test process alive: end it.
    spawnSync('pkill', ['-f', appBinary()]);
  };
  return { driver, dataDir, close, log: () => output };
}

/**
 * One app for a `describe` block: launched and showing its first view before the tests, closed after.
 * `relaunch` restarts it (on the same data directory when given it).
 */
export function useApp() {
  const session = {
    app: null,
    get driver() {
      return session.app.driver;
    },
    get dataDir() {
      return session.app.dataDir;
    },
    async relaunch(options) {
      await session.app?.close();
      session.app = await launchApp(options);
      await waitForApp(session.app.driver);
    },
  };
  before(() => session.relaunch());
  after(() => session.app?.close());
  return session;
}

/** XPath string literal for arbitrary text (quotes included). */
function xpathLiteral(text) {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return `concat('${text.split("'").join(`', "'", '`)}')`;
}

export const byText = (tag, text) => By.xpath(`//${tag}[contains(normalize-space(.), ${xpathLiteral(text)})]`);

/** Wait for an element and return it; the error names the locator. */
export async function find(driver, locator, what, ms = WAIT_MS) {
  try {
    const el = await driver.wait(until.elementLocated(locator), ms);
    return el;
  } catch (e) {
    throw new Error(`timed out after ${ms} ms waiting for ${what ?? locator}: ${e.message}`);
  }
}

export async function click(driver, locator, what) {
  const el = await find(driver, locator, what);
  await driver.wait(until.elementIsEnabled(el), WAIT_MS, `${what ?? locator} stays disabled`);
  await driver.executeScript('arguments[0].scrollIntoView({block: "center"})', el);
  await el.click();
  return el;
}

export async function clickButton(driver, text) {
  return click(driver, byText('button', text), `button "${text}"`);
}

/** Wait until `fn` (async, returning a truthy value) holds; returns that value. */
export async function waitFor(driver, fn, what, ms = WAIT_MS) {
  return driver.wait(
    async () => {
      try {
        return await fn();
      } catch {
        return false;
      }
    },
    ms,
    `timed out after ${ms} ms waiting for ${what}`,
  );
}

/** Save a screenshot of the window as docs/screenshots/<name>.png. */
export async function screenshot(driver, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const png = await driver.takeScreenshot();
  writeFileSync(join(screenshotDir, `${name}.png`), Buffer.from(png, 'base64'));
}

/** Wait for the app's first view; a build made before the UI was built shows a placeholder page instead. */
export async function waitForApp(driver) {
  await waitFor(
    driver,
    async () => (await driver.findElement(By.css('body')).getText()).includes('Try the built-in lab'),
    'the Run view with "Try the built-in lab"',
  ).catch(async (e) => {
    const text = await driver
      .findElement(By.css('body'))
      .getText()
      .catch(() => '');
    if (text.includes('The user interface was not built')) {
      throw new Error('the app embeds the placeholder page: run scripts/ui.sh build, then rebuild the app');
    }
    throw e;
  });
}

/** Go to a main view through the side navigation. */
export async function nav(driver, label) {
  await click(driver, By.xpath(`//nav[@aria-label='Main']//button[contains(normalize-space(.), ${xpathLiteral(label)})]`), `nav "${label}"`);
}

/** Run the built-in lab from the Run view and wait for the finished run to open. */
/** Tick exactly these scenarios in the Run screen's picker. */
export async function pickScenarios(driver, names) {
  await nav(driver, 'Run');
  for (const box of await driver.findElements(By.css('.picker input[type=checkbox]'))) {
    if (await box.isSelected()) await box.click();
  }
  for (const name of names) {
    await click(
      driver,
      By.xpath(`//div[contains(@class,'picker')]//label[.//strong[normalize-space(.)=${xpathLiteral(name)}]]//input`),
      `scenario ${name}`,
    );
  }
}

export async function runLab(driver, mode, flaws = []) {
  await nav(driver, 'Run');
  await click(driver, By.css(`input[name='lab-mode'][value='${mode}']`), `lab mode ${mode}`);
  const flawList = await find(driver, By.css('section.lab details.flaws'), 'the flaw switches');
  if ((await flawList.getAttribute('open')) === null) await flawList.findElement(By.css('summary')).click();
  for (const box of await driver.findElements(By.css('section.lab input[type=checkbox]'))) {
    if (await box.isSelected()) await box.click();
  }
  for (const flaw of flaws) {
    await click(
      driver,
      By.xpath(`//section[contains(@class,'lab')]//label[.//code[normalize-space(.)=${xpathLiteral(flaw)}]]//input`),
      `flaw switch ${flaw}`,
    );
  }
  await clickButton(driver, `Run the lab in ${mode} mode`);
  return waitForRunView(driver);
}

/** Wait for the run view of the run just started; returns its title. */
export async function waitForRunView(driver, ms = 90_000) {
  await find(driver, By.css('#tab-timeline'), 'the run view (Timeline tab)', ms);
  return (await find(driver, By.css('#run-view-title'), 'the run title')).getText();
}

export async function tab(driver, id) {
  await click(driver, By.css(`#tab-${id}`), `tab ${id}`);
  await find(driver, By.css(`#panel-${id}`), `panel ${id}`);
}

/** The timeline's lanes: [{ kind, gap }] from the chart's accessible lane elements. */
export async function lanes(driver) {
  const els = await driver.findElements(By.css('#panel-timeline g[data-lane-kind]'));
  const out = [];
  for (const el of els) {
    out.push({
      kind: await el.getAttribute('data-lane-kind'),
      gap: (await el.getAttribute('data-gap')) === 'yes',
      label: await el.getAttribute('aria-label'),
    });
  }
  return out;
}

/** A check's status in the Checklist tab. */
/** The Scenarios tab's results, once there are some: kind (measurement), status and text of each. */
export async function scenarioResults(driver) {
  await tab(driver, 'scenarios');
  const els = await waitFor(driver, async () => {
    const found = await driver.findElements(By.css('#panel-scenarios article.result'));
    return found.length > 0 && found;
  }, 'scenario results');
  const facts = [];
  for (const el of els) {
    facts.push({
      kind: await el.getAttribute('data-kind'),
      status: await el.getAttribute('data-status'),
      text: await el.getText(),
    });
  }
  return facts;
}

export async function checkStatus(driver, checkId) {
  const el = await find(driver, By.css(`#panel-checklist details[data-check='${checkId}']`), `check ${checkId}`);
  return el.getAttribute('data-status');
}

/** Create (or overwrite) a saved profile from the Profiles view's TOML editor. */
export async function saveProfile(driver, name, toml) {
  await nav(driver, 'Profiles');
  await clickButton(driver, 'New');
  // The editor has a form and a TOML view of the same text: the raw text is what this writes.
  await click(driver, By.css('#profile-view-toml'), 'the TOML tab');
  const nameField = await find(driver, By.xpath("//label[contains(.,'Save as')]//input"), 'the "Save as" name field');
  await nameField.clear();
  await nameField.sendKeys(name);
  const editor = await find(driver, By.css('textarea'), 'the TOML editor');
  // Typing hundreds of characters key by key adds nothing here; set the text and fire the input event.
  await driver.executeScript(
    `arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));`,
    editor,
    toml,
  );
  await find(driver, byText('span', 'Valid profile'), `profile "${name}" to validate`);
  await clickButton(driver, 'Save');
  await find(driver, byText('*', 'Saved.'), 'the save confirmation');
}

/**
 * Run a saved profile from the Run view, typing its password. Then waits for what `expect` says: the run's
 * view ('run', returns its title), an error panel ('error', returns it), or nothing ('started').
 */
export async function runProfile(driver, name, password, { expect = 'run' } = {}) {
  await nav(driver, 'Run');
  const card = "section[aria-labelledby='profile-run-title']";
  const select = await find(driver, By.css(`${card} select`), 'the profile picker');
  await select.findElement(By.xpath(`.//option[normalize-space(.)=${xpathLiteral(name)}]`)).click();
  const pw = await find(driver, By.css(`${card} input[type=password]`), 'the password field');
  await pw.clear();
  await pw.sendKeys(password);
  const before = await driver.findElements(By.css('#run-view-title'));
  await click(driver, By.css(`${card} button[type=submit]`), 'Run profile');
  if (expect === 'started') return null;
  if (expect === 'error') return find(driver, By.css('[role=alert]'), 'an error panel', 60_000);
  if (before.length) await driver.wait(until.stalenessOf(before[0]), 60_000).catch(() => {});
  return waitForRunView(driver);
}
