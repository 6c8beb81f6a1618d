// THE MOCK's profile form: a line-based stand-in for the core's `read_form` / `apply_form` (toml_edit), for
// the tests and the browser preview only. It reads plain `key = "string"` settings, one-line `form`/`json`
// tables of strings, `body` strings and `extract` lists written one entry a line. It writes back only the
// plain string settings (name, URLs, TLS, user, each step's method/path/bearer) and the presence of
// optional steps; headers, bodies and extracts are left as they are. The real editing is the desktop's.

import { mockValidateProfile } from './mock';
import { emptyExtract, emptyStep } from './profile-form';
import type { BodyForm, ExtractForm, FormField, ProfileForm, ProfileFormRead, StepForm } from './types';

const SYNTAX = 'expected `key = value` or a [section]';
const STEPS = ['login', 'login.prefetch', 'probe', 'refresh', 'logout'] as const;
type StepName = (typeof STEPS)[number];
const STEP_KEYS = ['method', 'path', 'bearer'] as const;
const EXTRACT_KEYS = ['name', 'kind', 'from', 'pointer', 'header', 'cookie', 'field', 'selector', 'pattern', 'expires_in'] as const;
const TOP: Record<string, keyof ProfileForm> = {
  name: 'name',
  base_url: 'base_url',
  http_base_url: 'http_base_url',
  'tls.trust': 'tls_trust',
  'tls.ca_file': 'tls_ca_file',
  'user.username': 'username',
  'user.password_env': 'password_env',
};

const unquote = (s: string): string | null => {
  const m = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(s.trim()) ?? /^'([^']*)'\s*(#.*)?$/.exec(s.trim());
  return m ? m[1].replace(/\\(["\\])/g, '$1') : null;
};
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** `{ a = "x", b = true }` → pairs; null when it is not that simple. */
function inlinePairs(text: string): [string, string | boolean][] | null {
  const m = /^\{(.*)\}\s*,?\s*(#.*)?$/.exec(text.trim());
  if (!m) return null;
  const out: [string, string | boolean][] = [];
  const re = /\s*([A-Za-z0-9_-]+|"[^"]*")\s*=\s*("(?:[^"\\]|\\.)*"|true|false)\s*(,|$)/y;
  let rest = m[1].trim();
  while (rest !== '') {
    re.lastIndex = 0;
    const p = re.exec(rest);
    if (!p) return null;
    const key = p[1].replace(/^"|"$/g, '');
    out.push([key, p[2] === 'true' ? true : p[2] === 'false' ? false : (unquote(p[2]) ?? '')]);
    rest = rest.slice(p[0].length).trim();
  }
  return out;
}

const fieldsOf = (pairs: [string, string | boolean][] | null): FormField[] | null =>
  pairs && pairs.every(([, v]) => typeof v === 'string') ? pairs.map(([key, value]) => ({ key, value: value as string })) : null;

export function mockReadForm(toml: string): ProfileFormRead {
  const check = mockValidateProfile(toml);
  if (!check.ok && check.error?.message === SYNTAX) {
    return { form: null, error: { ...check.error, message: `not valid TOML: ${check.error.message}` } };
  }
  const form: ProfileForm = {
    name: '',
    base_url: '',
    http_base_url: '',
    tls_trust: '',
    tls_ca_file: '',
    username: '',
    password_env: '',
    prefetch: null,
    login: emptyStep(),
    probe: emptyStep(),
    refresh: null,
    logout: null,
    extra: [],
  };
  const steps: Partial<Record<StepName, StepForm>> = {};
  let section = '';
  let inExtract: ExtractForm[] | null = null;
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    if (inExtract) {
      if (line.startsWith(']')) inExtract = null;
      else if (line.startsWith('{')) {
        const pairs = inlinePairs(line) ?? [];
        const e: ExtractForm = { ...emptyExtract(), kind: '', from: '', index: inExtract.length };
        for (const [k, v] of pairs) {
          if (k === 'optional') e.optional = v === true;
          else if ((EXTRACT_KEYS as readonly string[]).includes(k) && typeof v === 'string') e[k as (typeof EXTRACT_KEYS)[number]] = v;
          else form.extra.push(`${section}.extract[${inExtract.length}].${k}`);
        }
        inExtract.push(e);
      }
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const head = /^\[\s*([A-Za-z0-9_.-]+)\s*\]/.exec(line);
    if (head) {
      section = head[1];
      if ((STEPS as readonly string[]).includes(section)) steps[section as StepName] ??= emptyStep();
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv;
    const path = section ? `${section}.${key}` : key;
    const step = steps[section as StepName];
    const str = unquote(value);
    if (path in TOP && str !== null) {
      (form[TOP[path]] as string) = str;
    } else if (step && (STEP_KEYS as readonly string[]).includes(key) && str !== null) {
      step[key as (typeof STEP_KEYS)[number]] = str;
    } else if (step && (key === 'form' || key === 'json')) {
      const fields = fieldsOf(inlinePairs(value));
      const body: BodyForm = { kind: key, fields: fields ?? [], text: '', content_type: step.body.content_type, locked: fields === null };
      step.body = body;
      if (fields === null) form.extra.push(path);
    } else if (step && key === 'body' && str !== null) {
      step.body = { ...step.body, kind: 'raw', text: str };
    } else if (step && key === 'content_type' && str !== null) {
      step.body.content_type = str;
    } else if (step && key === 'headers' && fieldsOf(inlinePairs(value))) {
      step.headers = fieldsOf(inlinePairs(value)) ?? [];
    } else if (step && key === 'extract' && value.trim() === '[') {
      inExtract = step.extract;
    } else {
      form.extra.push(path);
    }
  }
  form.login = steps.login ?? form.login;
  form.probe = steps.probe ?? form.probe;
  form.prefetch = steps['login.prefetch'] ?? null;
  form.refresh = steps.refresh ?? null;
  form.logout = steps.logout ?? null;
  return { form, error: null };
}

/** Set, replace or remove `key` in `[section]` (root when ''), by lines. */
function setKey(lines: string[], section: string, key: string, value: string): string[] {
  let current = '';
  let sectionStart = section === '' ? 0 : -1;
  let sectionEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const head = /^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]/.exec(lines[i]);
    if (head) {
      if (current === section && sectionEnd === -1 && sectionStart !== -1) sectionEnd = i;
      current = head[1];
      if (current === section) sectionStart = i + 1;
      continue;
    }
    const kv = new RegExp(`^\\s*${key}\\s*=\\s*(.*)$`).exec(lines[i]);
    if (current === section && kv) {
      if (unquote(kv[1]) === value) return lines;
      if (value === '') return [...lines.slice(0, i), ...lines.slice(i + 1)];
      return [...lines.slice(0, i), `${key} = ${quote(value)}`, ...lines.slice(i + 1)];
    }
  }
  if (value === '') return lines;
  if (sectionStart === -1) return [...lines, '', `[${section}]`, `${key} = ${quote(value)}`];
  if (sectionEnd === -1) sectionEnd = lines.length;
  // After the section's last non-blank line.
  let at = sectionEnd;
  while (at > sectionStart && lines[at - 1].trim() === '') at--;
  return [...lines.slice(0, at), `${key} = ${quote(value)}`, ...lines.slice(at)];
}

/** Remove `[section]` and its lines. */
function removeSection(lines: string[], section: string): string[] {
  const start = lines.findIndex((l) => new RegExp(`^\\s*\\[\\s*${section.replace('.', '\\.')}\\s*\\]`).test(l));
  if (start === -1) return lines;
  let end = start + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end])) end++;
  return [...lines.slice(0, start), ...lines.slice(end)];
}

export function mockApplyForm(toml: string, form: ProfileForm): string {
  const read = mockReadForm(toml);
  if (read.error) throw { code: 'profile.syntax', message: read.error.message };
  let lines = toml.split('\n');
  for (const [path, field] of Object.entries(TOP)) {
    const dot = path.indexOf('.');
    const [section, key] = dot === -1 ? ['', path] : [path.slice(0, dot), path.slice(dot + 1)];
    lines = setKey(lines, section, key, form[field] as string);
  }
  const steps: [StepName, StepForm | null][] = [
    ['login', form.login],
    ['login.prefetch', form.prefetch],
    ['probe', form.probe],
    ['refresh', form.refresh],
    ['logout', form.logout],
  ];
  for (const [name, step] of steps) {
    if (!step) {
      lines = removeSection(lines, name);
      continue;
    }
    for (const key of STEP_KEYS) lines = setKey(lines, name, key, step[key]);
  }
  return lines.join('\n');
}
