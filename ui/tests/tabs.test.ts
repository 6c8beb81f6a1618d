import { describe, expect, it } from 'vitest';
import { RUN_TABS, runTabs, tabKeyTarget } from '../src/lib/tabs';
import { fixture } from './helpers';

describe('tabKeyTarget', () => {
  it('wraps arrows around and jumps with Home/End', () => {
    expect(tabKeyTarget('ArrowRight', 4, 5)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 0, 5)).toBe(4);
    expect(tabKeyTarget('ArrowRight', 1, 2)).toBe(0);
    expect(tabKeyTarget('Home', 3, 5)).toBe(0);
    expect(tabKeyTarget('End', 0, 5)).toBe(4);
  });

  it('ignores other keys', () => {
    expect(tabKeyTarget('Enter', 1, 5)).toBeNull();
    expect(tabKeyTarget('ArrowDown', 1, 5)).toBeNull();
  });
});

describe('runTabs', () => {
  it('shows Scenarios only for a run with results, after the checklist', () => {
    const run = fixture('jwt').run;
    expect(runTabs(run).map((t) => t.id)).toEqual(['timeline', 'checklist', 'exchanges', 'cookies', 'tokens']);
    run.results = [
      {
        scenario: 'entropy',
        credential_id: null,
        subject: 'session ids',
        replica: null,
        status: 'pass',
        severity: 'high',
        summary: 'ok',
        check_id: 'session.entropy',
        measurement: { kind: 'entropy', samples: 0, estimate: null, skipped: 'x' },
      },
    ];
    expect(runTabs(run)).toEqual(RUN_TABS);
    expect(runTabs(run)[2]).toEqual({ id: 'scenarios', label: 'Scenarios' });
  });
});
