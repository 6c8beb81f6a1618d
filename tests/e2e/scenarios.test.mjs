// The QA revocation suite in the real window: the lab with three replicas, each keeping its own session store
// (per-replica-store) and revoking slowly (slow-revocation); the replicas and latency scenarios picked on the
// Run screen. The countdown shows while the old session is polled, the Scenarios tab has a verdict per
// replica and the measured latency, and the timeline draws one lane per replica and the revocation interval.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { By } from 'selenium-webdriver';
import { find, pickScenarios, runLab, scenarioResults, screenshot, tab, useApp } from './lib/app.mjs';

describe('scenarios against the lab', () => {
  const app = useApp();

  it('replicas and latency: a verdict per replica, the time to revoke, one lane per replica', async () => {
    await pickScenarios(app.driver, ['lifecycle', 'replicas', 'latency']);
    const started = runLab(app.driver, 'session', ['per-replica-store', 'slow-revocation']);
    // The latency scenario polls for about the lab's 3 s revocation delay: the countdown is up meanwhile.
    const timer = await find(app.driver, By.css('.waiting [role=timer]'), 'the countdown', 60_000);
    assert.match(await timer.getText(), /left|due now/);
    await started;

    const facts = await scenarioResults(app.driver);
    const replicas = facts.filter((f) => f.kind === 'replica');
    assert.equal(replicas.length, 2, JSON.stringify(facts));
    assert.ok(replicas.every((f) => f.status === 'fail'), JSON.stringify(replicas));
    const latency = facts.find((f) => f.kind === 'latency');
    assert.ok(latency, JSON.stringify(facts));
    assert.equal(latency.status, 'warn', latency.text);
    const ms = Number((latency.text.match(/revoked (?:after )?([\d.]+) ?(m?s)/) || [])[1]);
    assert.ok(ms > 0, latency.text);
    await screenshot(app.driver, 'scenarios');

    await tab(app.driver, 'timeline');
    const replicaLanes = await app.driver.findElements(By.css('#panel-timeline g[data-replica]'));
    const numbers = new Set(await Promise.all(replicaLanes.map((l) => l.getAttribute('data-replica'))));
    assert.deepEqual([...numbers].sort(), ['1', '2', '3']);
    const chart = await find(app.driver, By.css('#panel-timeline svg[role=img]'), 'the timeline chart');
    assert.match(await chart.getText(), /revoked after/);
    await screenshot(app.driver, 'timeline-replicas');
  });
});
