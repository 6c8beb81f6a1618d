import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
class FakeChannel<T> {
  onmessage: (m: T) => void = () => {};
}
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: FakeChannel }));

const { tauriBackend, BackendError } = await import('../src/lib/backend');

describe('tauriBackend', () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it('calls the documented commands with camelCase arguments', async () => {
    invoke.mockResolvedValue([]);
    await tauriBackend.historyList(50);
    await tauriBackend.historyLoad('id1');
    await tauriBackend.cancelRun('req1');
    await tauriBackend.profileValidate('t');
    await tauriBackend.profileSave('n', 't');
    await tauriBackend.decodeToken('tok');
    await tauriBackend.appInfo();
    await tauriBackend.labCatalogue();
    await tauriBackend.checkCatalogue();
    await tauriBackend.profilesList();
    await tauriBackend.profileFormRead('t');
    const form = { name: 'n' } as unknown as Parameters<typeof tauriBackend.profileFormApply>[1];
    await tauriBackend.profileFormApply('t', form);
    await tauriBackend.passwordStatus('t');
    await tauriBackend.passwordSave('t', 'pw');
    await tauriBackend.passwordForget('t');
    await tauriBackend.referenceUrl('ZAP 10010');
    await tauriBackend.openReference('ZAP 10010');
    expect(invoke.mock.calls).toEqual([
      ['history_list', { limit: 50 }],
      ['history_load', { id: 'id1' }],
      ['cancel_run', { request_id: 'req1' }],
      ['profile_validate', { toml: 't' }],
      ['profile_save', { name: 'n', toml: 't' }],
      ['decode_token', { token: 'tok' }],
      ['app_info', undefined],
      ['lab_catalogue', undefined],
      ['check_catalogue', undefined],
      ['profiles_list', undefined],
      ['profile_form_read', { toml: 't' }],
      ['profile_form_apply', { toml: 't', form: { name: 'n' } }],
      ['password_status', { toml: 't' }],
      ['password_save', { toml: 't', password: 'pw' }],
      ['password_forget', { toml: 't' }],
      ['reference_url', { reference: 'ZAP 10010' }],
      ['open_reference', { reference: 'ZAP 10010' }],
    ]);
  });

  it('passes a Channel for run events and forwards its messages', async () => {
    const got: unknown[] = [];
    invoke.mockImplementation(async (_cmd: string, args: { on_event: FakeChannel<unknown> }) => {
      args.on_event.onmessage({ event: 'finished', run_id: 'r' });
      return { run: {}, timeline: {} };
    });
    const request = { request_id: 'q', target: { kind: 'lab' as const, mode: 'jwt', flaws: [] }, scenarios: [], reveal: false };
    await tauriBackend.startRun(request, (e) => got.push(e));
    expect(invoke.mock.calls[0][0]).toBe('start_run');
    expect(invoke.mock.calls[0][1].request).toEqual(request);
    expect(invoke.mock.calls[0][1].on_event).toBeInstanceOf(FakeChannel);
    expect(got).toEqual([{ event: 'finished', run_id: 'r' }]);
  });

  it('audits a secret with a progress Channel and cancels by audit id', async () => {
    const got: unknown[] = [];
    const report = { alg: 'HS256', outcome: { type: 'not-found' }, tried: 551, elapsed_ms: 3, per_sec: 183_666, sources: ['blank secret', 'built-in list'] };
    invoke.mockImplementation(async (_cmd: string, args: { on_progress?: FakeChannel<unknown> }) => {
      args.on_progress?.onmessage({ tried: 10, elapsed_ms: 1, per_sec: 10_000, source: 'built-in list', bytes_done: 0, bytes_total: null });
      return report;
    });
    const request = { audit_id: 'a1', token: 'x.y.z', wordlists: ['/w.txt'], builtin: true, time_limit_secs: 60 };
    await expect(tauriBackend.auditWeakSecret(request, (p) => got.push(p))).resolves.toEqual(report);
    expect(invoke.mock.calls[0][0]).toBe('audit_weak_secret');
    expect(invoke.mock.calls[0][1].request).toEqual(request);
    expect(invoke.mock.calls[0][1].on_progress).toBeInstanceOf(FakeChannel);
    expect(got).toEqual([expect.objectContaining({ tried: 10, source: 'built-in list' })]);
    invoke.mockReset();
    invoke.mockResolvedValue(true);
    await tauriBackend.cancelAudit('a1');
    expect(invoke.mock.calls).toEqual([['cancel_audit', { audit_id: 'a1' }]]);
  });

  it('turns rejections into BackendError {code, message}', async () => {
    invoke.mockRejectedValue({ code: 'http.tls', message: 'certificate unknown' });
    const e = await tauriBackend.historyList(1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendError);
    expect(e).toMatchObject({ code: 'http.tls', message: 'certificate unknown' });
    invoke.mockRejectedValue('plain string error');
    await expect(tauriBackend.appInfo()).rejects.toMatchObject({ code: 'backend.error', message: 'plain string error' });
  });
});
