// Helpers for the profile form: choices, labels and help for extracts, and where a validation error points.

import type { ExtractForm, ProfileErrorLocation, StepForm } from './types';

export const TLS_TRUST = [
  { value: '', label: 'System roots (default)' },
  { value: 'system', label: 'System roots' },
  { value: 'lab', label: 'The bundled lab’s certificate' },
  { value: 'ca-file', label: 'A CA file' },
] as const;

export const EXTRACT_KINDS = [
  { value: 'session', label: 'session — a session id' },
  { value: 'access', label: 'access — an access token' },
  { value: 'refresh', label: 'refresh — a refresh token' },
  { value: 'id', label: 'id — an ID token' },
  { value: 'csrf', label: 'csrf — a CSRF token (tracked, not replayed)' },
  { value: 'other', label: 'other — another credential' },
  { value: 'value', label: 'value — a plain variable' },
] as const;

type Locator = 'pointer' | 'header' | 'cookie' | 'field' | 'selector' | 'pattern';

/** Each source, the extract key that says where in it, and how to label that key. */
export const EXTRACT_SOURCES: readonly { from: string; label: string; key: Locator; keyLabel: string; placeholder: string }[] = [
  { from: 'json', label: 'JSON body', key: 'pointer', keyLabel: 'JSON pointer', placeholder: '/access_token' },
  { from: 'header', label: 'Response header', key: 'header', keyLabel: 'Header name', placeholder: 'X-Auth-Token' },
  { from: 'cookie', label: 'Cookie', key: 'cookie', keyLabel: 'Cookie name', placeholder: 'sid' },
  { from: 'html-input', label: 'HTML input', key: 'field', keyLabel: 'Input name', placeholder: 'csrf_token' },
  { from: 'html', label: 'HTML element', key: 'selector', keyLabel: 'CSS selector', placeholder: 'meta[name=csrf]' },
  { from: 'regex', label: 'Regex on the body', key: 'pattern', keyLabel: 'Pattern', placeholder: 'token=(\\w+)' },
];

export function sourceOf(from: string) {
  return EXTRACT_SOURCES.find((s) => s.from === from);
}

/** Keep only the locator the chosen source uses (the others would be stale keys in the TOML). */
export function clearOtherLocators(e: ExtractForm): void {
  const keep = sourceOf(e.from)?.key;
  for (const s of EXTRACT_SOURCES) if (s.key !== keep) e[s.key] = '';
  if (e.from !== 'json') e.expires_in = '';
}

/** Keys that appear more than once (the TOML keeps one of them). */
export function duplicateKeys(fields: { key: string }[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const f of fields) {
    if (f.key === '') continue;
    if (seen.has(f.key)) dup.add(f.key);
    seen.add(f.key);
  }
  return dup;
}

/**
 * The form field a validation error is about, as `table.key` (`probe.path`, `user.username`, `base_url`),
 * from the `in [table]:` the core puts before its message and the error's key. Null when it cannot tell.
 */
export function errorField(err: ProfileErrorLocation | null | undefined): string | null {
  if (!err?.key) return null;
  const table = /^in \[([A-Za-z0-9_.-]+)\]:/.exec(err.message)?.[1];
  return table ? `${table}.${err.key}` : err.key;
}

/** A step with nothing set. */
export function emptyStep(): StepForm {
  return {
    method: '',
    path: '',
    bearer: '',
    headers: [],
    body: { kind: 'none', fields: [], text: '', content_type: '', locked: false },
    extract: [],
  };
}

/** A new extract entry (not from the file: no `index`). */
export function emptyExtract(): ExtractForm {
  return { index: null, name: '', kind: 'access', from: 'json', pointer: '', header: '', cookie: '', field: '', selector: '', pattern: '', expires_in: '', optional: false };
}

