import { describe, expect, it } from 'vitest';
import { tabKeyTarget } from '../src/lib/tabs';

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
