import { describe, expect, it } from 'vitest';
import { quoteIdent, spacedInsert } from './insertion';

describe('quoteIdent', () => {
  it('leaves plain lower-case names alone and quotes the rest', () => {
    expect(quoteIdent('deals')).toBe('deals');
    expect(quoteIdent('close_date')).toBe('close_date');
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('Mixed Case')).toBe('"Mixed Case"');
    expect(quoteIdent('say "hi"')).toBe('"say ""hi"""');
  });
});

describe('spacedInsert', () => {
  it('adds a space only where the name would run into a word', () => {
    expect(spacedInsert('deals', '', '')).toBe('deals');
    expect(spacedInsert('deals', 'M', '')).toBe(' deals');
    expect(spacedInsert('deals', ' ', '')).toBe('deals');
    expect(spacedInsert('amount', '(', ')')).toBe('amount');
    expect(spacedInsert('amount', '.', ' ')).toBe('amount');
    expect(spacedInsert('amount', ',', 'x')).toBe('amount ');
    expect(spacedInsert('amount', 't', ',')).toBe(' amount');
  });
});
