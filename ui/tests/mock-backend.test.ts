import { describe, expect, it, vi } from 'vitest';
import { BackendError, toErrorInfo } from '../src/lib/backend';
import { createMockBackend, HISTORY_IDS, mockValidateProfile } from '../src/lib/mock';
import type { RunEvent, RunRequest } from '../src/lib/types';

const lab = (mode: string, flaws: string[] = []): RunRequest => ({
  request_id: `req-${mode}-${flaws.join(',')}`,
  target: { kind: 'lab', mode, flaws },
  scenarios: ['lifecycle', 'rotation'],
  reveal: false,
});

describe('mock backend contract', () => {
  it('answers every catalogue call with the documented shapes', async () => {
    const b = createMockBackend();
    const info = await b.appInfo();
    expect(Object.keys(info).sort()).toEqual(['data_dir', 'db_path', 'version']);
    const labCat = await b.labCatalogue();
    expect(labCat.modes.map((m) => m.name)).toEqual(['session', 'jwt', 'hybrid']);
    expect(labCat.flaws.every((f) => f.modes.length > 0 && f.description.length > 0)).toBe(true);
    expect(labCat.users[0]).toEqual({ username: 'alice', email: 'alice@lab.test' });
    expect(labCat.scenarios.filter((s) => s.default).map((s) => s.name)).toEqual(['lifecycle', 'rotation']);
    expect(labCat.scenarios.at(-1)).toMatchObject({ name: 'rate-limit', opt_in: true });
    expect(labCat.scenario_defaults.latency_deadline_secs).toBeGreaterThan(0);
    const checks = await b.checkCatalogue();
    expect(checks.length).toBeGreaterThan(19);
    for (const c of checks) {
      expect(Object.keys(c).sort()).toEqual(['code', 'explanation', 'family', 'id', 'kind', 'references', 'severity', 'title']);
    }
  });

  it('streams run events in order and resolves with the run and its timeline', async () => {
    const b = createMockBackend();
    const events: RunEvent[] = [];
    const view = await b.startRun(lab('jwt'), (e) => events.push(e));
    expect(events[0].event).toBe('started');
    expect(events.at(-1)).toEqual({ event: 'finished', run_id: view.run.id });
    const started = events[0] as Extract<RunEvent, { event: 'started' }>;
    expect(started.total_steps).toBe(events.filter((e) => e.event === 'step-started').length);
    expect(events.filter((e) => e.event === 'exchange-captured')).toHaveLength(view.run.exchanges.length);
    expect(events.filter((e) => e.event === 'credential-issued')).toHaveLength(view.run.credentials.length);
    expect(events.filter((e) => e.event === 'finding')).toHaveLength(view.run.findings.length);
    expect(view.timeline.lanes).toHaveLength(view.run.credentials.length);
    expect(view.run.status).toBe('completed');
  });

  it('is deterministic: two mocks give the same run for the same request', async () => {
    const a = await createMockBackend().startRun(lab('hybrid', ['long-lived']), () => {});
    const b = await createMockBackend().startRun(lab('hybrid', ['long-lived']), () => {});
    expect(a).toEqual(b);
  });

  it('reports a failed run (target down) as a resolved view with a failed event', async () => {
    const b = createMockBackend();
    const profiles = await b.profilesList();
    const down = profiles.find((p) => p.name === 'staging-down');
    expect(down).toBeDefined();
    const events: RunEvent[] = [];
    const view = await b.startRun(
      { request_id: 'r1', target: { kind: 'profile', toml: down?.toml ?? '', password: 'pw' }, scenarios: ['lifecycle'], reveal: false },
      (e) => events.push(e),
    );
    expect(view.run.status).toBe('failed');
    expect(view.run.error?.code).toBe('flow.request');
    expect(events.at(-1)?.event).toBe('failed');
  });

  it('rejects bad requests with {code, message}', async () => {
    const b = createMockBackend();
    await expect(b.startRun(lab('nope'), () => {})).rejects.toMatchObject({ code: 'lab.unknown-mode' });
    await expect(b.startRun(lab('jwt', ['fixation']), () => {})).rejects.toMatchObject({ code: 'lab.unknown-flaw' });
    const noPw: RunRequest = { request_id: 'x', target: { kind: 'profile', toml: 'name = "a"\nbase_url = "https://a"\n[login]\n[probe]\n', password: '' }, scenarios: [], reveal: false };
    const err = await b.startRun(noPw, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(toErrorInfo(err)).toEqual({ code: 'profile.password-missing', message: expect.any(String) });
    await expect(b.historyLoad('missing')).rejects.toMatchObject({ code: 'store.not-found' });
  });

  it('cancels a running run and keeps what was captured', async () => {
    vi.useFakeTimers();
    try {
      const b = createMockBackend({ delayMs: 100 });
      const req = lab('jwt');
      const events: RunEvent[] = [];
      const p = b.startRun(req, (e) => events.push(e));
      await vi.advanceTimersByTimeAsync(350);
      expect(await b.cancelRun(req.request_id)).toBe(true);
      await vi.advanceTimersByTimeAsync(200);
      const view = await p;
      expect(view.run.status).toBe('cancelled');
      expect(view.run.exchanges.length).toBe(3);
      expect(view.timeline.lanes.every((l) => view.run.credentials.some((c) => c.id === l.credential_id))).toBe(true);
      expect(await b.cancelRun(req.request_id)).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a history, newest first, and stores new runs in it', async () => {
    const b = createMockBackend();
    const before = await b.historyList(0);
    expect(before).toHaveLength(Object.keys(HISTORY_IDS).length);
    expect(before.map((r) => r.started_at)).toEqual([...before.map((r) => r.started_at)].sort((x, y) => y - x));
    const flawed = before.find((r) => r.id === HISTORY_IDS.hybridFlawed);
    expect(flawed).toMatchObject({ fails: 5, warns: 1, status: 'completed' });
    const view = await b.startRun(lab('session'), () => {});
    expect((await b.historyList(0)).some((r) => r.id === view.run.id)).toBe(true);
    expect(await b.historyList(2)).toHaveLength(2);
    const loaded = await b.historyLoad(view.run.id);
    expect(loaded.run.id).toBe(view.run.id);
    loaded.run.profile_name = 'changed';
    expect((await b.historyLoad(view.run.id)).run.profile_name).not.toBe('changed');
  });

  it('moves runs to now when asked (dev mode), times and JWT claims alike', async () => {
    const now = 2_000_000_000_000;
    const view = await createMockBackend({ now: () => now }).startRun(lab('jwt'), () => {});
    expect(view.run.started_at).toBe(now);
    expect(view.timeline.start).toBe(now);
    const access = view.run.credentials.find((c) => c.jwt?.exp != null);
    expect(access?.jwt?.exp).toBeGreaterThan(now / 1000);
    expect((access?.jwt?.claims as Record<string, number>).exp).toBe(access?.jwt?.exp);
  });

  it('validates and saves profiles', async () => {
    const b = createMockBackend();
    expect(await b.profileValidate('name = "x"\nbase_url = "https://x"\n[login]\n[probe]\n')).toEqual({ ok: true, name: 'x', error: null });
    const bad = await b.profileValidate('name = "x"\nbase_url = "https://x"\n[logn]\n');
    expect(bad).toMatchObject({ ok: false, error: { line: 3, key: 'logn' } });
    expect(mockValidateProfile('name = "x"\nthis is not toml\n').error).toMatchObject({ line: 2, column: 1 });
    await b.profileSave('mine', 'name = "Mine"\nbase_url = "https://m"\n[login]\n[probe]\n');
    expect((await b.profilesList()).some((p) => p.name === 'mine')).toBe(true);
    await expect(b.profileSave('mine', 'oops')).rejects.toMatchObject({ code: 'profile.invalid' });
  });

  it('decodes JWTs for display and refuses non-JWTs', async () => {
    const b = createMockBackend();
    const enc = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const jwt = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'a', exp: 1700000000 })}.c2ln`;
    expect(await b.decodeToken(jwt)).toMatchObject({ alg: 'HS256', exp: 1700000000, signature_len: 3, problems: [] });
    expect(await b.decodeToken('opaque-token')).toBeNull();
  });
});
