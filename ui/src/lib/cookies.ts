// A display-only split of a raw Set-Cookie line into its name and attributes (the core's parsed
// CookieInfo is authoritative; this is for lines that did not carry a credential).

import type { JarChange, JarCookie, JarOutcome, JarStep } from './types';

export interface SetCookieParts {
  name: string;
  value: string;
  attributes: { name: string; value: string | null }[];
}

export function splitSetCookie(line: string): SetCookieParts {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  return {
    name: (eq === -1 ? '' : pair.slice(0, eq)).trim(),
    value: (eq === -1 ? pair : pair.slice(eq + 1)).trim(),
    attributes: attrs
      .map((a) => a.trim())
      .filter((a) => a !== '')
      .map((a) => {
        const i = a.indexOf('=');
        return i === -1 ? { name: a, value: null } : { name: a.slice(0, i).trim(), value: a.slice(i + 1).trim() };
      }),
  };
}

// The jar after each step (RunView.jars, computed by the core from the recorded Set-Cookie lines).

/** What the step picker says for a step: "after login", "replay session #1 after logout (own jar)". */
export function jarStepTitle(step: JarStep): string {
  return step.applied ? `after ${step.label}` : `${step.label} (own jar, discarded)`;
}

/** The step shown first: the first login (the jar holding the session), else the first step. */
export function defaultJarStep(jars: JarStep[]): number {
  const login = jars.findIndex((s) => s.step === 'login' && s.purpose === 'flow');
  return login === -1 ? 0 : login;
}

/** Steps grouped by scenario, in order, keeping each step's index in `jars`. */
export function jarScenarios(jars: JarStep[]): { scenario: string; steps: { step: JarStep; index: number }[] }[] {
  const out: { scenario: string; steps: { step: JarStep; index: number }[] }[] = [];
  jars.forEach((step, index) => {
    const last = out.at(-1);
    if (last && last.scenario === step.scenario) last.steps.push({ step, index });
    else out.push({ scenario: step.scenario, steps: [{ step, index }] });
  });
  return out;
}

/** A change as an icon and a word, so it never relies on colour alone. */
export const CHANGE_TEXT: Record<JarChange, { icon: string; text: string }> = {
  added: { icon: '+', text: 'added' },
  updated: { icon: '↻', text: 'updated' },
  unchanged: { icon: '=', text: 'unchanged' },
  deleted: { icon: '✗', text: 'deleted' },
  expired: { icon: '⌛', text: 'expired' },
};

export const OUTCOME_TEXT: Record<JarOutcome, string> = {
  added: '+ added to the jar',
  updated: '↻ replaced the jar’s cookie',
  deleted: '✗ deleted the jar’s cookie',
  refused: '⊘ refused by the jar',
  'not-kept': '○ not kept (throw-away jar)',
};

/** How many cookies the step added, updated, and removed. */
export function jarCounts(step: JarStep): Record<JarChange, number> {
  const n: Record<JarChange, number> = { added: 0, updated: 0, unchanged: 0, deleted: 0, expired: 0 };
  for (const c of step.cookies) n[c.change] += 1;
  return n;
}

/** For an updated cookie: was the value the same before the step (re-set, e.g. a session that was not
 * renewed at login)? Null when there is no earlier version to compare with. */
export function sameValueAsBefore(jars: JarStep[], index: number, c: JarCookie): boolean | null {
  if (c.change !== 'updated' || index <= 0) return null;
  const prev = jars[index - 1].cookies.find(
    (p) => p.name === c.name && p.domain === c.domain && p.path === c.path && p.change !== 'deleted' && p.change !== 'expired',
  );
  return prev ? prev.value === c.value : null;
}
