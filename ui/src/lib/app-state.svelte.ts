// What the app shows: the current view, the open run and its tab, the active run's progress, the Run
// screen's choices, and the check catalogue. Shared through Svelte context; components call its methods to
// navigate.

import { getContext, setContext } from 'svelte';
import { BACKEND_KEY, toErrorInfo, type Backend } from './backend';
import { applyEvent, initialProgress, type Progress } from './progress';
import { RunChoices } from './run-choices.svelte';
import type { RunTab } from './tabs';
import type { CheckDoc, ErrorInfo, RunRequest, RunView } from './types';

export type ViewName = 'run' | 'run-view' | 'history' | 'compare' | 'profiles';

export interface ActiveRun {
  requestId: string;
  progress: Progress;
  cancelling: boolean;
}

export function newRequestId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export class AppState {
  view = $state<ViewName>('run');
  current = $state<RunView | null>(null);
  tab = $state<RunTab>('timeline');
  selectedExchange = $state<number | null>(null);
  focusedCredential = $state<number | null>(null);
  compareIds = $state<[string, string] | null>(null);
  checks = $state<CheckDoc[]>([]);
  active = $state<ActiveRun | null>(null);
  runError = $state<ErrorInfo | null>(null);
  readonly choices = new RunChoices();

  constructor(readonly backend: Backend) {}

  async loadCatalogue(): Promise<void> {
    try {
      this.checks = await this.backend.checkCatalogue();
    } catch {
      // The checklist falls back to id prefixes for families; nothing else needs the catalogue.
    }
  }

  go(view: ViewName): void {
    this.view = view;
  }

  openRun(view: RunView, tab: RunTab = 'timeline'): void {
    this.current = view;
    this.tab = tab;
    this.selectedExchange = null;
    this.focusedCredential = null;
    this.view = 'run-view';
  }

  openExchange(id: number): void {
    this.selectedExchange = id;
    this.tab = 'exchanges';
    this.view = 'run-view';
  }

  openCredential(id: number): void {
    this.focusedCredential = id;
    this.tab = 'tokens';
    this.view = 'run-view';
  }

  compare(a: string, b: string): void {
    this.compareIds = [a, b];
    this.view = 'compare';
  }

  /** Starts a run and opens it when it ends; a rejection is kept in `runError` for the Run page. */
  async startRun(request: Omit<RunRequest, 'request_id'>): Promise<void> {
    if (this.active) return;
    const requestId = newRequestId();
    this.runError = null;
    this.active = { requestId, progress: initialProgress(), cancelling: false };
    try {
      const view = await this.backend.startRun({ ...request, request_id: requestId }, (e) => {
        if (this.active?.requestId === requestId) {
          this.active.progress = applyEvent(this.active.progress, e);
        }
      });
      this.active = null;
      this.openRun(view);
    } catch (e) {
      this.active = null;
      this.runError = toErrorInfo(e);
    }
  }

  async cancelRun(): Promise<void> {
    const a = this.active;
    if (!a || a.cancelling) return;
    a.cancelling = true;
    try {
      await this.backend.cancelRun(a.requestId);
    } catch (e) {
      this.runError = toErrorInfo(e);
    }
  }
}

const APP = Symbol('authlens.app');

export function setApp(app: AppState): AppState {
  return setContext(APP, app);
}

export function getApp(): AppState {
  const a = getContext<AppState | undefined>(APP);
  if (!a) throw new Error('no AppState in context');
  return a;
}

/** For tests: the context map `render(Component, { context })` needs (backend and app state). */
export function appContext(app: AppState): Map<symbol, unknown> {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a context map for tests, not state
  return new Map<symbol, unknown>([
    [BACKEND_KEY, app.backend],
    [APP, app],
  ]);
}
