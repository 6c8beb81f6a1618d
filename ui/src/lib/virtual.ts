// Windowing for long lists with a fixed row height: which rows to render for a scroll position.

export interface RowWindow {
  /** First row rendered (inclusive). */
  start: number;
  /** Last row rendered (exclusive). */
  end: number;
  /** translateY of the first rendered row. */
  offset: number;
  /** Height of the whole list, for the scrollbar. */
  total: number;
}

export function rowWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan: number): RowWindow {
  const rh = Math.max(rowHeight, 1);
  const total = count * rh;
  const top = Math.min(Math.max(scrollTop, 0), Math.max(total - viewport, 0));
  const first = Math.floor(top / rh);
  const visible = Math.ceil(Math.max(viewport, rh) / rh) + 1;
  const start = Math.max(first - overscan, 0);
  const end = Math.min(first + visible + overscan, count);
  return { start, end, offset: start * rh, total };
}

/** The scrollTop that brings row `index` fully into view (unchanged when it already is). */
export function scrollToRow(index: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return scrollTop;
}
