// Keyboard moves in a tab list (WAI-ARIA tabs pattern): arrows wrap around, Home and End jump.

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
