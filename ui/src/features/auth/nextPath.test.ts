import { describe, expect, it } from 'vitest';
import { safeNextPath } from './nextPath';

describe('safeNextPath', () => {
  it('keeps same-site paths and refuses the rest', () => {
    expect(safeNextPath('/chat/c1')).toBe('/chat/c1');
    expect(safeNextPath('/invite/abc?x=1')).toBe('/invite/abc?x=1');
    expect(safeNextPath(null)).toBe('/chat');
    expect(safeNextPath('https://evil.example')).toBe('/chat');
    expect(safeNextPath('//evil.example')).toBe('/chat');
    expect(safeNextPath('/\\evil.example')).toBe('/chat');
    expect(safeNextPath('/sign-in')).toBe('/chat');
  });
});
