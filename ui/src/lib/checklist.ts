// Checklist logic: families from the catalogue, ordering, filters, and the status diff between two runs.

import type { CheckDoc, Finding, Severity, Status } from './types';

export const STATUSES: Status[] = ['fail', 'warn', 'info', 'not-tested', 'pass'];
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Worst first. */
export const statusRank = (s: Status): number => STATUSES.indexOf(s);
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const STATUS_ICON: Record<Status, string> = {
  fail: '✗',
  warn: '⚠',
  info: 'ℹ',
  'not-tested': '∅',
  pass: '✓',
};

export const STATUS_TEXT: Record<Status, string> = {
  fail: 'Fail',
  warn: 'Warn',
  info: 'Info',
  'not-tested': 'Not tested',
  pass: 'Pass',
};

const PREFIX_FAMILY: Record<string, string> = {
  cookie: 'Cookies',
  session: 'Sessions and revocation',
  storage: 'Sessions and revocation',
  transport: 'Transport and browser policy',
  cache: 'Transport and browser policy',
  jwt: 'JWT',
  refresh: 'Refresh tokens',
};

/** The check's family from the catalogue; from its id prefix when the catalogue does not know it. */
export function familyOf(checkId: string, catalogue: CheckDoc[]): string {
  const doc = catalogue.find((c) => c.id === checkId);
  if (doc) return doc.family;
  return PREFIX_FAMILY[checkId.split('.')[0]] ?? 'Other';
}

export type SortKey = 'catalogue' | 'status' | 'severity';

export interface ChecklistFilter {
  statuses: Set<Status>;
  severities: Set<Severity>;
  text: string;
}

export interface FamilyGroup {
  family: string;
  findings: { finding: Finding; index: number }[];
}

export function groupFindings(findings: Finding[], catalogue: CheckDoc[], filter: ChecklistFilter, sort: SortKey): FamilyGroup[] {
  const catIndex = (id: string) => {
    const i = catalogue.findIndex((c) => c.id === id);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  const text = filter.text.trim().toLowerCase();
  const rows = findings
    .map((finding, index) => ({ finding, index }))
    .filter(({ finding: f }) => filter.statuses.has(f.status) && filter.severities.has(f.severity))
    .filter(({ finding: f }) => !text || `${f.check_id} ${f.title} ${f.summary}`.toLowerCase().includes(text));
  const cmp = (a: { finding: Finding; index: number }, b: { finding: Finding; index: number }) => {
    const byCat = catIndex(a.finding.check_id) - catIndex(b.finding.check_id) || a.index - b.index;
    const byStatus = statusRank(a.finding.status) - statusRank(b.finding.status);
    const bySev = severityRank(a.finding.severity) - severityRank(b.finding.severity);
    if (sort === 'status') return byStatus || bySev || byCat;
    if (sort === 'severity') return bySev || byStatus || byCat;
    return byCat;
  };
  rows.sort(cmp);
  const families: string[] = [];
  for (const c of catalogue) if (!families.includes(c.family)) families.push(c.family);
  const groups = new Map<string, FamilyGroup>();
  for (const r of rows) {
    const fam = familyOf(r.finding.check_id, catalogue);
    if (!groups.has(fam)) groups.set(fam, { family: fam, findings: [] });
    groups.get(fam)?.findings.push(r);
  }
  const famIndex = (f: string) => {
    const i = families.indexOf(f);
    return i === -1 ? families.length : i;
  };
  const out = [...groups.values()];
  // By status or severity, families come in the order of their worst finding (the map's insertion order).
  if (sort === 'catalogue') out.sort((a, b) => famIndex(a.family) - famIndex(b.family));
  return out;
}

export function countByStatus(findings: Finding[]): Record<Status, number> {
  const out: Record<Status, number> = { fail: 0, warn: 0, info: 0, 'not-tested': 0, pass: 0 };
  for (const f of findings) out[f.status] += 1;
  return out;
}

/** One check's status in each run: the worst status among its findings; null when the run lacks it. */
export interface StatusDiffRow {
  checkId: string;
  title: string;
  left: Status | null;
  right: Status | null;
  differs: boolean;
}

function worstByCheck(findings: Finding[]): Map<string, Finding> {
  const m = new Map<string, Finding>();
  for (const f of findings) {
    const prev = m.get(f.check_id);
    if (!prev || statusRank(f.status) < statusRank(prev.status)) m.set(f.check_id, f);
  }
  return m;
}

export function diffStatuses(left: Finding[], right: Finding[], catalogue: CheckDoc[]): StatusDiffRow[] {
  const l = worstByCheck(left);
  const r = worstByCheck(right);
  const ids = [...new Set([...l.keys(), ...r.keys()])];
  const catIndex = (id: string) => {
    const i = catalogue.findIndex((c) => c.id === id);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  ids.sort((a, b) => catIndex(a) - catIndex(b) || (a < b ? -1 : 1));
  return ids.map((checkId) => {
    const a = l.get(checkId) ?? null;
    const b = r.get(checkId) ?? null;
    const left = a?.status ?? null;
    const right = b?.status ?? null;
    return { checkId, title: a?.title ?? b?.title ?? checkId, left, right, differs: left !== right };
  });
}
