// Live progress of a run, folded from the RunEvents the backend streams.

import type { CredentialKind, ErrorInfo, Finding, RunEvent, ScenarioResult, StepKind, Verdict } from './types';

export type StepStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface ProgressStep {
  index: number;
  scenario: string;
  step: StepKind;
  label: string;
  status: StepStatus;
}

export interface ProgressExchange {
  id: number;
  method: string;
  url: string;
  status: number | null;
  duration_ms: number;
}

export interface Progress {
  runId: string | null;
  profile: string | null;
  totalSteps: number;
  steps: ProgressStep[];
  /** The latest exchanges only (at most KEEP_EXCHANGES); `exchangeCount` counts them all. */
  exchanges: ProgressExchange[];
  exchangeCount: number;
  credentials: { id: number; label: string; kind: CredentialKind; expires_at: number | null }[];
  replays: { credential_id: number; label: string; verdict: Verdict; status: number | null }[];
  findings: Finding[];
  /** What the run is waiting for (an expiry, an idle gap, a poll deadline) until its next step. */
  waiting: Waiting | null;
  /** The latest scenario results only (at most KEEP_RESULTS); `resultCount` counts them all. */
  results: ScenarioResult[];
  resultCount: number;
  state: 'starting' | 'running' | 'finished' | 'failed';
  error: ErrorInfo | null;
}

export interface Waiting {
  scenario: string;
  /** Unix ms. */
  until: number;
  reason: string;
  credential_ids: number[];
}

export const KEEP_EXCHANGES = 50;
export const KEEP_RESULTS = 8;

export function initialProgress(): Progress {
  return {
    runId: null,
    profile: null,
    totalSteps: 0,
    steps: [],
    exchanges: [],
    exchangeCount: 0,
    credentials: [],
    replays: [],
    findings: [],
    waiting: null,
    results: [],
    resultCount: 0,
    state: 'starting',
    error: null,
  };
}

/** Returns a new Progress (the input is not changed). */
export function applyEvent(before: Progress, e: RunEvent): Progress {
  // A wait ends with the run's next step; the exchanges it makes meanwhile (latency polls) do not end it.
  // Polls (latency) capture exchanges and replay results while the countdown runs: they do not end the wait.
  const keeps = e.event === 'exchange-captured' || e.event === 'replay-result' || e.event === 'waiting';
  const p = before.waiting && !keeps ? { ...before, waiting: null } : before;
  switch (e.event) {
    case 'started':
      return { ...p, runId: e.run_id, profile: e.profile, totalSteps: e.total_steps, state: 'running' };
    case 'step-started': {
      const steps = p.steps.map((s) => (s.status === 'running' ? { ...s, status: 'done' as const } : s));
      steps.push({ index: e.index, scenario: e.scenario, step: e.step, label: e.label, status: 'running' });
      return { ...p, steps, totalSteps: Math.max(p.totalSteps, e.index) };
    }
    case 'exchange-captured':
      return {
        ...p,
        exchanges: [
          ...p.exchanges.slice(-(KEEP_EXCHANGES - 1)),
          { id: e.id, method: e.method, url: e.url, status: e.status, duration_ms: e.duration_ms },
        ],
        exchangeCount: p.exchangeCount + 1,
      };
    case 'credential-issued':
      return { ...p, credentials: [...p.credentials, { id: e.id, label: e.label, kind: e.kind, expires_at: e.expires_at }] };
    case 'replay-result':
      return {
        ...p,
        replays: [...p.replays, { credential_id: e.credential_id, label: e.label, verdict: e.verdict, status: e.status }],
      };
    case 'waiting':
      return { ...p, waiting: { scenario: e.scenario, until: e.until, reason: e.reason, credential_ids: e.credential_ids } };
    case 'result':
      return { ...p, results: [...p.results.slice(-(KEEP_RESULTS - 1)), e.result], resultCount: p.resultCount + 1 };
    case 'finding':
      return { ...p, findings: [...p.findings, e.finding] };
    case 'finished':
      return { ...p, state: 'finished', steps: p.steps.map((s) => (s.status === 'running' ? { ...s, status: 'done' } : s)) };
    case 'failed':
      return {
        ...p,
        state: 'failed',
        error: e.error,
        steps: p.steps.map((s) => (s.status === 'running' ? { ...s, status: 'failed' } : s)),
      };
    default:
      return p;
  }
}

/** 0..1: finished steps over the planned total (a finished run is 1). */
export function fraction(p: Progress): number {
  if (p.state === 'finished' || p.state === 'failed') return 1;
  if (p.totalSteps <= 0) return 0;
  const done = p.steps.filter((s) => s.status === 'done').length;
  return Math.min(done / p.totalSteps, 1);
}
