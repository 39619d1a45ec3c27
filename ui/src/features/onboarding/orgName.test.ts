import { describe, expect, it } from 'vitest';
import { emailDomain, isPublicMailDomain, suggestOrgName } from './orgName';

describe('organization name suggestions', () => {
  it('reads the domain of an email', () => {
    expect(emailDomain('Jane@Acme.com')).toBe('acme.com');
    expect(emailDomain('nobody')).toBeNull();
    expect(emailDomain('x@localhost')).toBeNull();
    expect(emailDomain(undefined)).toBeNull();
  });

  it('turns a company domain into a name', () => {
    expect(suggestOrgName('acme.com')).toBe('Acme');
    expect(suggestOrgName('acme-corp.io')).toBe('Acme Corp');
    expect(suggestOrgName('sales.globex.com')).toBe('Globex');
    expect(suggestOrgName('initech.co.uk')).toBe('Initech');
    expect(suggestOrgName('umbrella.com.au')).toBe('Umbrella');
  });

  it('suggests nothing for public mail providers', () => {
    expect(isPublicMailDomain('gmail.com')).toBe(true);
    expect(isPublicMailDomain('acme.com')).toBe(false);
    expect(suggestOrgName('gmail.com')).toBe('');
    expect(suggestOrgName(null)).toBe('');
  });
});
