// JWT in depth in the real window: the lab in JWT mode accepting alg none, the jwt-attacks scenario picked on
// the Run screen. The Scenarios tab shows the forged tokens (alg none ACCEPTED, the rest rejected), the
// checklist fails jwt.alg-none, and the Tokens tab shows each access token verified with the lab's key.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { By } from 'selenium-webdriver';
import { checkStatus, pickScenarios, runLab, scenarioResults, screenshot, tab, useApp, waitFor } from './lib/app.mjs';

describe('JWT attacks against the lab', () => {
  const app = useApp();

  it('forged tokens: alg none accepted, every other forgery rejected; tokens verified', async () => {
    await pickScenarios(app.driver, ['lifecycle', 'jwt-attacks']);
    await runLab(app.driver, 'jwt', ['alg-none-accepted']);

    const facts = await scenarioResults(app.driver);
    const forged = facts.filter((f) => f.kind === 'forgery');
    assert.ok(forged.length >= 8, JSON.stringify(facts));
    const accepted = forged.filter((f) => f.status === 'fail');
    assert.equal(accepted.length, 4, JSON.stringify(accepted)); // none, None, NONE, nOnE
    assert.ok(accepted.every((f) => /alg/i.test(f.text) && /accepted/i.test(f.text)), JSON.stringify(accepted));
    assert.ok(forged.filter((f) => f.status === 'pass').length >= 4, JSON.stringify(forged));
    await screenshot(app.driver, 'jwt-attacks');

    await tab(app.driver, 'checklist');
    assert.equal(await checkStatus(app.driver, 'jwt.alg-none'), 'fail');
    assert.equal(await checkStatus(app.driver, 'jwt.signature-checked'), 'pass');
    assert.equal(await checkStatus(app.driver, 'jwt.verification'), 'pass');

    await tab(app.driver, 'tokens');
    const panel = await app.driver.findElement(By.css('#panel-tokens'));
    await waitFor(app.driver, async () => /verified/i.test(await panel.getText()), 'a verified token');
    await screenshot(app.driver, 'tokens-verified');
  });
});
