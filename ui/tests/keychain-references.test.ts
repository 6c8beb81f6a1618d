import { fireEvent, render, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import FindingItem from '../src/components/FindingItem.svelte';
import ProfileRunCard from '../src/components/ProfileRunCard.svelte';
import { BackendError } from '../src/lib/backend';
import { fixtureProfiles } from '../src/lib/fixtures';
import { createMockBackend, mockAccount } from '../src/lib/mock';
import type { Finding, RunRequest } from '../src/lib/types';
import { fixture, setup } from './helpers';

const profile = fixtureProfiles.find((p) => p.name === 'lab-jwt') ?? fixtureProfiles[0];

function renderCard(backend = createMockBackend()) {
  const onrun = vi.fn();
  const { context } = setup(backend);
  const r = render(ProfileRunCard, { props: { profiles: fixtureProfiles, onrun }, context });
  return { r, onrun, backend };
}

async function choose(r: ReturnType<typeof renderCard>['r']) {
  await fireEvent.change(r.getByRole('combobox', { name: 'Profile' }), { target: { value: profile.name } });
}

describe('profile password in the OS keychain', () => {
  it('remembers on request, then runs with the stored password, and forgets', async () => {
    const { r, onrun, backend } = renderCard();
    const save = vi.spyOn(backend, 'passwordSave');
    await choose(r);
    const remember = await r.findByRole('checkbox', { name: /Remember in the OS keychain/ });
    expect(remember).toHaveAccessibleName(expect.stringContaining(mockAccount(profile.toml) ?? 'x'));
    await fireEvent.input(r.getByLabelText('Password'), { target: { value: 'wonderland-alice' } });
    await fireEvent.click(remember);
    await fireEvent.click(r.getByRole('button', { name: 'Run profile' }));

    await waitFor(() => expect(onrun).toHaveBeenCalledTimes(1));
    expect(save).toHaveBeenCalledWith(profile.toml, 'wonderland-alice');
    expect(onrun).toHaveBeenLastCalledWith(profile.toml, 'wonderland-alice', null);
    expect(r.getByLabelText('Password')).toHaveValue('');
    await r.findByText('Stored in the OS keychain');

    // Nothing typed now: the run asks the backend to use the keychain (password null).
    const run = r.getByRole('button', { name: 'Run profile' });
    expect(run).toBeEnabled();
    await fireEvent.click(run);
    await waitFor(() => expect(onrun).toHaveBeenCalledTimes(2));
    expect(onrun).toHaveBeenLastCalledWith(profile.toml, null, null);
    const request: RunRequest = { request_id: 'k', target: { kind: 'profile', toml: profile.toml, password: null }, scenarios: [], reveal: false };
    await expect(backend.startRun(request, () => {})).resolves.toMatchObject({ run: { status: 'completed' } });

    await fireEvent.click(r.getByRole('button', { name: 'Forget' }));
    await r.findByRole('checkbox', { name: /Remember in the OS keychain/ });
    expect(r.queryByText('Stored in the OS keychain')).toBeNull();
    expect(r.getByRole('button', { name: 'Run profile' })).toBeDisabled();
    await expect(backend.startRun({ ...request, request_id: 'k2' }, () => {})).rejects.toMatchObject({ code: 'keychain.not-stored' });
  });

  it('without a keychain, asks each time and says why it cannot remember', async () => {
    const { r, onrun, backend } = renderCard(createMockBackend({ keychain: 'unavailable' }));
    const save = vi.spyOn(backend, 'passwordSave');
    await choose(r);
    await r.findByText(/cannot be remembered here.*no OS keychain available/);
    expect(r.queryByRole('checkbox', { name: /Remember/ })).toBeNull();
    expect(r.getByRole('button', { name: 'Run profile' })).toBeDisabled();
    await fireEvent.input(r.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.click(r.getByRole('button', { name: 'Run profile' }));
    expect(onrun).toHaveBeenCalledWith(profile.toml, 'pw', null);
    expect(save).not.toHaveBeenCalled();
  });

  it('still runs with the typed password when remembering fails', async () => {
    const backend = createMockBackend();
    backend.passwordSave = () => Promise.reject(new BackendError({ code: 'keychain.locked', message: 'the OS keychain is locked or refused access: prompt dismissed' }));
    const { r, onrun } = renderCard(backend);
    await choose(r);
    await fireEvent.click(await r.findByRole('checkbox', { name: /Remember/ }));
    await fireEvent.input(r.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.click(r.getByRole('button', { name: 'Run profile' }));
    await waitFor(() => expect(onrun).toHaveBeenCalledWith(profile.toml, 'pw', null));
    expect(r.getByRole('alert')).toHaveTextContent('Not remembered: the OS keychain is locked');
    expect(r.getByRole('alert')).not.toHaveTextContent('pw ');
  });
});

describe('reference links', () => {
  function finding(): Finding {
    const f = fixture('jwt').run.findings.find((x) => x.references.length > 0);
    if (!f) throw new Error('fixture has no finding with references');
    // Captured content that looks like a link stays text.
    f.evidence = [{ exchange_id: null, credential_id: null, location: 'Location: https://evil.example/steal', detail: 'https://evil.example/?t=1' }];
    f.references = ['ZAP 10010', 'not a catalogue reference'];
    return f;
  }

  function renderFinding() {
    const backend = createMockBackend();
    const open = vi.spyOn(backend, 'openReference');
    const { context } = setup(backend);
    const r = render(FindingItem, { props: { finding: finding(), initiallyOpen: true, credLabel: (id: number) => `#${id}`, onexchange: () => {} }, context });
    return { r, open };
  }

  it('turns only catalogue references into buttons, never captured content into links', () => {
    const { r } = renderFinding();
    expect(r.container.querySelectorAll('a').length).toBe(0);
    expect(r.getByText('https://evil.example/?t=1').closest('button')).toBeNull();
    expect(r.getByRole('button', { name: /ZAP 10010/ })).toHaveAttribute('aria-haspopup', 'dialog');
  });

  it('cancel closes the dialog and opens nothing', async () => {
    const { r, open } = renderFinding();
    await fireEvent.click(r.getByRole('button', { name: /ZAP 10010/ }));
    const dialog = r.getByRole('dialog', { name: 'Open ZAP 10010 in your browser?' });
    expect(await within(dialog).findByTestId('reference-url')).toHaveTextContent('https://www.zaproxy.org/docs/alerts/10010/');
    expect(dialog.querySelectorAll('a').length).toBe(0);
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    expect(cancel).toHaveFocus();
    await fireEvent.click(cancel);
    expect(r.queryByRole('dialog')).toBeNull();
    expect(open).not.toHaveBeenCalled();

    // Escape cancels too.
    await fireEvent.click(r.getByRole('button', { name: /ZAP 10010/ }));
    await fireEvent.keyDown(r.getByRole('dialog'), { key: 'Escape' });
    expect(r.queryByRole('dialog')).toBeNull();
    expect(open).not.toHaveBeenCalled();
  });

  it('confirm opens the reference once, by its name', async () => {
    const { r, open } = renderFinding();
    await fireEvent.click(r.getByRole('button', { name: /ZAP 10010/ }));
    const dialog = r.getByRole('dialog');
    await within(dialog).findByTestId('reference-url');
    const confirm = within(dialog).getByRole('button', { name: 'Open in browser' });
    await fireEvent.click(confirm);
    await waitFor(() => expect(r.queryByRole('dialog')).toBeNull());
    expect(open).toHaveBeenCalledTimes(1);
    expect(open).toHaveBeenCalledWith('ZAP 10010');
  });

  it('keeps focus inside the dialog', async () => {
    const { r } = renderFinding();
    await fireEvent.click(r.getByRole('button', { name: /ZAP 10010/ }));
    const dialog = r.getByRole('dialog');
    await within(dialog).findByTestId('reference-url');
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    const confirm = within(dialog).getByRole('button', { name: 'Open in browser' });
    confirm.focus();
    await fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(cancel).toHaveFocus();
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(confirm).toHaveFocus();
  });

  it('an unknown reference shows the backend refusal and cannot be opened', async () => {
    const { r, open } = renderFinding();
    await fireEvent.click(r.getByRole('button', { name: /not a catalogue reference/ }));
    const dialog = r.getByRole('dialog');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('is not a reference of the check catalogue');
    expect(within(dialog).queryByRole('button', { name: 'Open in browser' })).toBeNull();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(open).not.toHaveBeenCalled();
  });
});
