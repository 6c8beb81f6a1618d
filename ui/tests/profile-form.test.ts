import { fireEvent, render, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ProfilesPage from '../src/components/ProfilesPage.svelte';
import type { Backend } from '../src/lib/backend';
import { createMockBackend } from '../src/lib/mock';
import { mockApplyForm, mockReadForm } from '../src/lib/mock-form';
import { errorField } from '../src/lib/profile-form';
import type { ProfileForm } from '../src/lib/types';
import { setup } from './helpers';

async function open(backend: Backend = createMockBackend(), profile = 'lab-session') {
  const { context } = setup(backend);
  const r = render(ProfilesPage, { context });
  await fireEvent.click(await r.findByRole('button', { name: profile }));
  await r.findByRole('group', { name: 'Target' });
  return r;
}

async function showToml(r: Awaited<ReturnType<typeof open>>) {
  await fireEvent.click(r.getByRole('tab', { name: 'TOML' }));
  return r.getByRole('textbox', { name: 'Profile TOML' }) as HTMLTextAreaElement;
}

function lastForm(spy: { mock: { calls: unknown[][] } }): ProfileForm {
  return spy.mock.calls.at(-1)?.[1] as ProfileForm;
}

describe('profile form', () => {
  it('opens on the form, filled from the TOML, with labelled fields and no password field', async () => {
    const r = await open();
    expect(r.getByRole('tab', { name: 'Form' })).toHaveAttribute('aria-selected', 'true');
    expect(r.getByRole('textbox', { name: 'Display name' })).toHaveValue('Lab: session mode');
    expect(r.getByRole('textbox', { name: 'Username' })).toHaveValue('alice');
    expect(r.getByRole('combobox', { name: 'TLS trust' })).toHaveValue('lab');
    expect(r.getByRole('textbox', { name: 'Base URL' })).toHaveAccessibleDescription(/step paths are appended/);
    const login = r.getByRole('group', { name: 'Login' });
    expect(within(login).getByRole('textbox', { name: 'Path' })).toHaveValue('/login');
    expect(within(login).getByRole('combobox', { name: 'Body' })).toHaveValue('form');
    expect(within(login).getByRole('textbox', { name: 'Login form fields: Field 3' })).toHaveValue('csrf_token');
    const prefetch = r.getByRole('group', { name: 'Login prefetch' });
    expect(within(prefetch).getByRole('textbox', { name: 'Input name' })).toHaveValue('csrf_token');
    expect(within(prefetch).getByRole('combobox', { name: 'Kind' })).toHaveValue('csrf');
    expect(r.getByRole('checkbox', { name: /Refresh step/ })).not.toBeChecked();
    expect(r.getByText('Every setting of this profile is in the form.')).toBeInTheDocument();
    // Passwords never go in a profile: no password input, only the name of the variable.
    expect(r.container.querySelector('input[type=password]')).toBeNull();
    expect(r.queryByRole('textbox', { name: /^Password$/ })).toBeNull();
    expect(r.getByRole('textbox', { name: 'Password variable' })).toHaveValue('');
  });

  it('writes edits into the TOML, keeping comments, and validates the result', async () => {
    const backend = createMockBackend();
    const apply = vi.spyOn(backend, 'profileFormApply');
    const r = await open(backend);
    await fireEvent.input(r.getByRole('textbox', { name: 'Display name' }), { target: { value: 'Staging' } });
    await r.findByText(/✓ Valid profile: Staging/);
    expect(apply).toHaveBeenCalled();
    expect(lastForm(apply).name).toBe('Staging');
    const area = await showToml(r);
    expect(area.value).toMatch(/^name = "Staging"$/m);
    expect(area.value).toContain('# GET the login page first');
    expect(r.getByText('unsaved changes')).toBeInTheDocument();
  });

  it('removes a key when its field is cleared and re-reads TOML edits', async () => {
    const r = await open();
    await fireEvent.input(r.getByRole('textbox', { name: 'Plain HTTP URL' }), { target: { value: '' } });
    const area = await showToml(r);
    await vi.waitFor(() => expect(area.value).not.toContain('http_base_url'));
    await fireEvent.input(area, { target: { value: area.value.replace('username = "alice"', 'username = "bob"') } });
    await fireEvent.click(r.getByRole('tab', { name: 'Form' }));
    expect(await r.findByDisplayValue('bob')).toBe(r.getByRole('textbox', { name: 'Username' }));
  });

  it('adds and removes steps and extracts', async () => {
    const backend = createMockBackend();
    const apply = vi.spyOn(backend, 'profileFormApply');
    const r = await open(backend);
    await fireEvent.click(r.getByRole('checkbox', { name: /Refresh step/ }));
    const refresh = await r.findByRole('group', { name: 'Refresh' });
    await fireEvent.input(within(refresh).getByRole('textbox', { name: 'Path' }), { target: { value: '/api/refresh' } });
    await vi.waitFor(() => expect(lastForm(apply).refresh?.path).toBe('/api/refresh'));

    const login = r.getByRole('group', { name: 'Login' });
    await fireEvent.click(within(login).getByRole('button', { name: 'Add extract' }));
    const extract = await within(login).findByRole('group', { name: 'Login extract 2' });
    await fireEvent.input(within(extract).getByRole('textbox', { name: 'Variable' }), { target: { value: 'token' } });
    await fireEvent.change(within(extract).getByRole('combobox', { name: 'From' }), { target: { value: 'cookie' } });
    await fireEvent.input(within(extract).getByRole('textbox', { name: 'Cookie name' }), { target: { value: 'tok' } });
    await vi.waitFor(() =>
      expect(lastForm(apply).login.extract[1]).toMatchObject({ index: null, name: 'token', from: 'cookie', cookie: 'tok', pointer: '' }),
    );
    // The session extract read from the file keeps its place in the file's list.
    expect(lastForm(apply).login.extract[0]).toMatchObject({ index: 0, name: 'session' });

    await fireEvent.click(within(login).getByRole('button', { name: 'Remove login extract session' }));
    await vi.waitFor(() => expect(lastForm(apply).login.extract.map((e) => e.name)).toEqual(['token']));

    await fireEvent.click(r.getByRole('checkbox', { name: /Logout step/ }));
    await vi.waitFor(() => expect(lastForm(apply).logout).toBeNull());
    const area = await showToml(r);
    expect(area.value).toContain('[refresh]\nmethod = "POST"\npath = "/api/refresh"');
    expect(area.value).not.toContain('[logout]');
  });

  it('says how many settings only the TOML edits', async () => {
    const backend = createMockBackend();
    const r = await open(backend);
    const area = await showToml(r);
    await fireEvent.input(area, { target: { value: `${area.value}\n[http]\ntimeout_secs = 10\nmax_body_bytes = 1024\n` } });
    await fireEvent.click(r.getByRole('tab', { name: 'Form' }));
    const summary = await r.findByText('2 more settings only in TOML');
    await fireEvent.click(summary);
    expect(r.getByText('http.timeout_secs')).toBeInTheDocument();
  });

  it('shows a TOML syntax error instead of a broken form and goes to its line', async () => {
    const r = await open();
    const area = await showToml(r);
    await fireEvent.input(area, { target: { value: 'name = "x"\n[login\npath = "/"\n' } });
    await fireEvent.click(r.getByRole('tab', { name: 'Form' }));
    const alert = await r.findByRole('alert');
    expect(alert).toHaveTextContent(/cannot be shown as a form \(line 2, column 1\)/);
    expect(r.queryByRole('group', { name: 'Target' })).toBeNull();
    await fireEvent.click(within(alert).getByRole('button', { name: 'Go to line 2 in TOML' }));
    const again = await r.findByRole('textbox', { name: 'Profile TOML' });
    expect(r.getByRole('tab', { name: 'TOML' })).toHaveAttribute('aria-selected', 'true');
    await vi.waitFor(() => expect(document.activeElement).toBe(again));
    expect((again as HTMLTextAreaElement).selectionStart).toBe('name = "x"\n'.length);
  });

  it('puts a validation error next to the field it is about', async () => {
    const backend = createMockBackend();
    backend.profileValidate = async () => ({
      ok: false,
      name: null,
      error: { line: 30, column: 8, key: 'path', message: 'in [probe]: the path must start with `/`, got `api/me`' },
    });
    const r = await open(backend);
    const probe = r.getByRole('group', { name: 'Probe' });
    const path = within(probe).getByRole('textbox', { name: 'Path' });
    await vi.waitFor(() => expect(path).toHaveAttribute('aria-invalid', 'true'));
    expect(within(probe).getByText(/the path must start with/)).toBeInTheDocument();
    expect(within(r.getByRole('group', { name: 'Login' })).getByRole('textbox', { name: 'Path' })).toHaveAttribute('aria-invalid', 'false');
    expect(r.getByRole('button', { name: 'Save' })).toBeDisabled();
  });
});

describe('profile form helpers', () => {
  it('maps a validation error to its field', () => {
    expect(errorField({ line: 1, column: 1, key: 'path', message: 'in [login.prefetch]: bad' })).toBe('login.prefetch.path');
    expect(errorField({ line: 1, column: 1, key: 'base_url', message: '`x` is not a valid URL' })).toBe('base_url');
    expect(errorField({ line: 1, column: 1, key: null, message: 'in [probe]: x' })).toBeNull();
  });

  it('the mock reads and writes the plain settings (it is only the mock)', () => {
    const toml = '# top\nname = "A"\nbase_url = "https://a.test"\n\n[login]\npath = "/l"\nform = { u = "{{username}}" }\n\n[probe]\npath = "/me"\n';
    const read = mockReadForm(toml);
    const form = read.form as ProfileForm;
    expect(form.login.body.fields).toEqual([{ key: 'u', value: '{{username}}' }]);
    form.name = 'B';
    form.username = 'alice';
    form.probe.method = 'GET';
    const out = mockApplyForm(toml, form);
    expect(out).toContain('# top\nname = "B"');
    expect(out).toContain('[user]\nusername = "alice"');
    expect(out).toContain('[probe]\npath = "/me"\nmethod = "GET"');
    expect(mockReadForm('[login\n').error?.line).toBe(1);
  });
});
