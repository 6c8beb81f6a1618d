// The one door to the backend. Components get a `Backend` from Svelte context (`getBackend()`), never
// `invoke` directly; `tauriBackend` speaks the Tauri commands, `mockBackend` (mock.ts) serves fixtures.

import { Channel, invoke } from '@tauri-apps/api/core';
import { getContext, setContext } from 'svelte';
import type {
  AppInfo,
  AuditProgress,
  AuditReport,
  AuditRequest,
  BootData,
  CheckDoc,
  DecodedJwt,
  ErrorInfo,
  LabCatalogue,
  PasswordStatus,
  ProfileCheck,
  ProfileForm,
  ProfileFormRead,
  RunEvent,
  RunRequest,
  RunSummary,
  RunView,
  SavedProfile,
} from './types';

export interface Backend {
  appInfo(): Promise<AppInfo>;
  labCatalogue(): Promise<LabCatalogue>;
  checkCatalogue(): Promise<CheckDoc[]>;
  /** Runs to the end (completed, failed or cancelled run), streaming progress to `onEvent`. */
  startRun(request: RunRequest, onEvent: (e: RunEvent) => void): Promise<RunView>;
  /** True when a run with this request id was running and is now told to stop. */
  cancelRun(requestId: string): Promise<boolean>;
  historyList(limit: number): Promise<RunSummary[]>;
  historyLoad(id: string): Promise<RunView>;
  profileValidate(toml: string): Promise<ProfileCheck>;
  /** The profile's common settings as a form, or where its TOML cannot be read as one. */
  profileFormRead(toml: string): Promise<ProfileFormRead>;
  /** `toml` with the form's settings written in; comments, key order and other keys are kept. */
  profileFormApply(toml: string, form: ProfileForm): Promise<string>;
  profilesList(): Promise<SavedProfile[]>;
  profileSave(name: string, toml: string): Promise<void>;
  decodeToken(token: string): Promise<DecodedJwt | null>;
  /**
   * Audits an HS256/384/512 token's secret offline against the blank secret, the built-in list and the
   * wordlists (off the UI thread), streaming progress to `onProgress`; resolves when found, exhausted, timed
   * out or cancelled. Rejects with `weak-secret.*` (not a JWT, not HMAC, unreadable wordlist).
   */
  auditWeakSecret(request: AuditRequest, onProgress: (p: AuditProgress) => void): Promise<AuditReport>;
  /** True when an audit with this id was going and is now told to stop. */
  cancelAudit(auditId: string): Promise<boolean>;
  /** The first view is painted (the app logs its start-up time). */
  uiReady(): Promise<void>;
  /** The Run view's data as of start-up, handed over before the page loaded (null when there is none). */
  boot(): BootData | null;

  // OS keychain: a profile's password, kept for its username at its base URL's origin.
  passwordStatus(toml: string): Promise<PasswordStatus>;
  passwordSave(toml: string, password: string): Promise<PasswordStatus>;
  passwordForget(toml: string): Promise<PasswordStatus>;
  // Catalogue references ("ASVS 3.3.4"): resolved and opened by the backend, catalogue references only.
  /** The https page a reference opens, to show before asking. */
  referenceUrl(reference: string): Promise<string>;
  /** Opens the page in the system browser; resolves with the URL opened. */
  openReference(reference: string): Promise<string>;
}

/** A rejected command: always `{code, message}` by the time a component sees it. */
export class BackendError extends Error {
  readonly code: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'BackendError';
    this.code = info.code;
  }
  get info(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Whatever a promise rejected with, as `{code, message}` (Tauri rejects with the serialized error). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof BackendError) return e.info;
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    if (typeof o.code === 'string' && typeof o.message === 'string') {
      return { code: o.code, message: o.message };
    }
    if (e instanceof Error) return { code: 'ui.error', message: e.message || String(e) };
  }
  if (typeof e === 'string') return { code: 'backend.error', message: e };
  return { code: 'ui.unknown', message: 'An unexpected error occurred (no details were given).' };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw new BackendError(toErrorInfo(e));
  }
}

export const tauriBackend: Backend = {
  appInfo: () => call('app_info'),
  labCatalogue: () => call('lab_catalogue'),
  checkCatalogue: () => call('check_catalogue'),
  startRun(request, onEvent) {
    const channel = new Channel<RunEvent>();
    channel.onmessage = onEvent;
    // The desktop commands take snake_case argument names (rename_all = "snake_case").
    return call('start_run', { request, on_event: channel });
  },
  cancelRun: (requestId) => call('cancel_run', { request_id: requestId }),
  historyList: (limit) => call('history_list', { limit }),
  historyLoad: (id) => call('history_load', { id }),
  profileValidate: (toml) => call('profile_validate', { toml }),
  profileFormRead: (toml) => call('profile_form_read', { toml }),
  profileFormApply: (toml, form) => call('profile_form_apply', { toml, form }),
  profilesList: () => call('profiles_list'),
  profileSave: (name, toml) => call('profile_save', { name, toml }),
  decodeToken: (token) => call('decode_token', { token }),
  auditWeakSecret(request, onProgress) {
    const channel = new Channel<AuditProgress>();
    channel.onmessage = onProgress;
    return call('audit_weak_secret', { request, on_progress: channel });
  },
  cancelAudit: (auditId) => call('cancel_audit', { audit_id: auditId }),
  uiReady: () => call('ui_ready', {}),
  boot: () => bootData(),

  passwordStatus: (toml) => call('password_status', { toml }),
  passwordSave: (toml, password) => call('password_save', { toml, password }),
  passwordForget: (toml) => call('password_forget', { toml }),
  referenceUrl: (reference) => call('reference_url', { reference }),
  openReference: (reference) => call('open_reference', { reference }),
};

/** True inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

export const BACKEND_KEY = Symbol('authlens.backend');

export function setBackend(backend: Backend): void {
  setContext(BACKEND_KEY, backend);
}

export function getBackend(): Backend {
  const b = getContext<Backend | undefined>(BACKEND_KEY);
  if (!b) throw new Error('no Backend in context: wrap the component in one that calls setBackend()');
  return b;
}

/** `window.__AUTHLENS_BOOT__`, set by the app's initialization script, when it has the expected shape. */
function bootData(): BootData | null {
  const b = (window as unknown as { __AUTHLENS_BOOT__?: unknown }).__AUTHLENS_BOOT__;
  if (typeof b !== 'object' || b === null) return null;
  const o = b as Partial<BootData>;
  if (typeof o.lab !== 'object' || o.lab === null || !Array.isArray(o.lab.modes) || !Array.isArray(o.profiles)) return null;
  return o as BootData;
}
