// The run view's tabs, and keyboard moves in a tab list (WAI-ARIA tabs pattern): arrows wrap around, Home
// and End jump.

import type { Run } from './types';

export type RunTab = 'timeline' | 'checklist' | 'scenarios' | 'exchanges' | 'cookies' | 'tokens';
export const RUN_TABS: { id: RunTab; label: string }[] = [
  { id: 'timeline', label: 'Timeline' },
  { id: 'checklist', label: 'Checklist' },
  { id: 'scenarios', label: 'Scenarios' },
  { id: 'exchanges', label: 'Exchanges' },
  { id: 'cookies', label: 'Cookies' },
  { id: 'tokens', label: 'Tokens' },
];

/** The tabs this run has: Scenarios only when a measuring scenario left results. */
export function runTabs(run: Run): { id: RunTab; label: string }[] {
  return RUN_TABS.filter((t) => t.id !== 'scenarios' || run.results.length > 0);
}

/** The index the key moves to from tab `index` of `count`, or null when the key is not a tab move. */
export function tabKeyTarget(key: string, index: number, count: number): number | null {
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
