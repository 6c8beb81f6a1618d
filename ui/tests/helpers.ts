import { AppState, appContext } from '../src/lib/app-state.svelte';
import type { Backend } from '../src/lib/backend';
import { cloneView, fixtureChecks, fixtureRuns, type FixtureName } from '../src/lib/fixtures';
import { createMockBackend } from '../src/lib/mock';
import type { Exchange, RunView } from '../src/lib/types';

export function setup(backend: Backend = createMockBackend()) {
  const app = new AppState(backend);
  app.checks = fixtureChecks;
  return { app, backend, context: appContext(app) };
}

export function fixture(name: FixtureName): RunView {
  return cloneView(fixtureRuns[name]);
}

/** A run with `n` exchanges, made by repeating the fixture's first exchange. */
export function manyExchanges(n: number): RunView {
  const v = fixture('jwt');
  const template = v.run.exchanges[1];
  const out: Exchange[] = [];
  for (let i = 1; i <= n; i++) {
    const x: Exchange = JSON.parse(JSON.stringify(template));
    x.id = i;
    x.label = `probe ${i}`;
    x.hops[0].request.url = `https://127.0.0.1:8443/api/item/${i}`;
    out.push(x);
  }
  v.run.exchanges = out;
  return v;
}
