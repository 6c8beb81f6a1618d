// The Run screen's scenario choice turned into a request: which scenarios, which settings (only when the
// user changed one), and the lab's shape (replicas, store, short lifetimes) when the choice needs it.

import type { RunTarget, ScenarioDoc, ScenarioSettings } from './types';

/** The scenarios a backend without a scenario catalogue runs (the Rust `Scenario::DEFAULT`). */
export const FALLBACK_SCENARIOS: ScenarioDoc[] = [
  { name: 'lifecycle', description: 'login, probe, refresh, logout, then replay every old credential', default: true, opt_in: false, waits: false },
  { name: 'rotation', description: 'refresh twice, replay the first refresh token (reuse detection)', default: true, opt_in: false, waits: false },
];

export const DEFAULT_PICK = FALLBACK_SCENARIOS.map((d) => d.name);

/** The flaw that gives each lab replica its own store: the lab then needs several replicas. */
export const PER_REPLICA_FLAW = 'per-replica-store';
export const MAX_REPLICAS = 5;
/** What the backend starts when several replicas are needed and none were asked for. */
export const DEFAULT_REPLICAS = 3;

export type LabStore = 'sqlite' | 'redis';

/** The lab's JWT signing when none is asked for (the backend's default too). */
export const DEFAULT_SIGNING = 'hs256';
/** The lab modes without JWTs: the signing choice does not apply to them. */
export const modeSignsJwts = (mode: string): boolean => mode !== 'session';

export const defaultScenarios = (docs: ScenarioDoc[]): string[] => docs.filter((d) => d.default).map((d) => d.name);

/** The picked names in catalogue order (the backend runs them in that order anyway), unknown ones dropped. */
export function inCatalogueOrder(picked: string[], docs: ScenarioDoc[]): string[] {
  return docs.filter((d) => picked.includes(d.name)).map((d) => d.name);
}

export const needsReplicas = (scenarios: string[], flaws: string[]): boolean =>
  scenarios.includes('replicas') || flaws.includes(PER_REPLICA_FLAW);

/** The waiting scenarios finish in seconds only with the lab's teaching lifetimes. */
export const autoShortLifetimes = (scenarios: string[]): boolean => scenarios.includes('expiry') || scenarios.includes('idle');

/** The user's short-lifetimes choice holds until the automatic value it overrode changes. */
export interface ShortOverride {
  auto: boolean;
  value: boolean;
}

export function shortLifetimes(scenarios: string[], override: ShortOverride | null): boolean {
  const auto = autoShortLifetimes(scenarios);
  return override && override.auto === auto ? override.value : auto;
}

export interface SettingField {
  key: keyof ScenarioSettings;
  scenario: string;
  label: string;
  unit: string;
  min: number;
}

export const SETTING_FIELDS: SettingField[] = [
  { key: 'expiry_skew_secs', scenario: 'expiry', label: 'Replay this long after the declared expiry (skew)', unit: 's', min: 0 },
  { key: 'expiry_max_wait_secs', scenario: 'expiry', label: 'Do not wait for expiries further away than', unit: 's', min: 0 },
  { key: 'latency_deadline_secs', scenario: 'latency', label: 'Stop polling this long after logout', unit: 's', min: 1 },
  { key: 'latency_max_polls', scenario: 'latency', label: 'At most this many polls per credential', unit: 'polls', min: 1 },
  { key: 'latency_interval_ms', scenario: 'latency', label: 'Pause between polls (the resolution)', unit: 'ms', min: 0 },
  { key: 'idle_first_gap_secs', scenario: 'idle', label: 'First idle gap (each next one doubles)', unit: 's', min: 1 },
  { key: 'idle_max_gap_secs', scenario: 'idle', label: 'Longest idle gap', unit: 's', min: 1 },
  { key: 'entropy_samples', scenario: 'entropy', label: 'Session ids to collect (logins)', unit: 'samples', min: 20 },
  { key: 'rate_limit_attempts', scenario: 'rate-limit', label: 'Wrong passwords to try at most', unit: 'attempts', min: 1 },
];

/** The first field whose value is not a whole number at or above its minimum, or null. */
export function invalidSetting(values: ScenarioSettings): SettingField | null {
  return SETTING_FIELDS.find((f) => !Number.isInteger(values[f.key]) || values[f.key] < f.min) ?? null;
}

/** `values` when any differs from the defaults, else undefined (the backend then uses the profile's own). */
export function changedSettings(values: ScenarioSettings | null, defaults: ScenarioSettings | null): ScenarioSettings | undefined {
  if (!values) return undefined;
  if (defaults && SETTING_FIELDS.every((f) => values[f.key] === defaults[f.key])) return undefined;
  return { ...values };
}

export interface LabShapeChoice {
  replicas: number;
  store: LabStore;
  shortOverride: ShortOverride | null;
  /** The lab's JWT signing ("hs256", "rs256", "es256", "eddsa"); sent only when it is not the default. */
  signing?: string;
}

/** A lab target with the shape this choice of scenarios and flaws needs (replicas only when several are). */
export function labTarget(mode: string, flaws: string[], scenarios: string[], shape: LabShapeChoice): RunTarget {
  const target: RunTarget = { kind: 'lab', mode, flaws, short_lifetimes: shortLifetimes(scenarios, shape.shortOverride) };
  if (needsReplicas(scenarios, flaws)) {
    target.replicas = Math.min(Math.max(Math.round(shape.replicas) || DEFAULT_REPLICAS, 1), MAX_REPLICAS);
    // With the flaw each replica keeps its own store: a shared one would hide it.
    if (!flaws.includes(PER_REPLICA_FLAW)) target.store = shape.store;
  }
  if (shape.signing && shape.signing !== DEFAULT_SIGNING && modeSignsJwts(mode)) target.signing = shape.signing;
  return target;
}
