import { describe, expect, it } from 'vitest';
import { explainSyncError } from './syncErrors';

const kind = (raw: string) => explainSyncError(raw, 'HubSpot').kind;

describe('sync errors in plain words', () => {
  it('recognises what the server writes', () => {
    expect(kind('authentication failed: HubSpot 401 INVALID_AUTHENTICATION on /crm/v3/objects/deals: expired')).toBe('auth');
    expect(kind('Nango answered HTTP 400 (invalid_grant): refresh token revoked')).toBe('auth');
    expect(kind('rate limit exhausted: HubSpot 429 DAILY on /crm/v3/objects/contacts: daily limit')).toBe('daily_limit');
    expect(kind('HubSpot 429 TEN_SECONDLY_ROLLING on /crm/v3/objects/deals: slow down (gave up after 5 attempts)')).toBe('throttled');
    expect(kind('HubSpot 502 error on /crm/v3/objects/deals: Bad Gateway (gave up after 5 attempts)')).toBe('upstream');
    expect(kind('HubSpot /crm/v3/objects/deals: request failed: timed out reading response')).toBe('timeout');
    expect(kind('Nango is unreachable: connection refused')).toBe('unreachable');
    expect(kind('HubSpot 403 MISSING_SCOPES on /crm/v3/objects/deals: missing crm.objects.deals.read')).toBe('permission');
    expect(kind('NANGO_SECRET_KEY is not set: provider credentials come from Nango')).toBe('nango_setup');
    expect(kind('the hubspot integration has no Nango connection; reconnect it')).toBe('connection_gone');
    expect(kind('Nango does not know this connection: not found')).toBe('connection_gone');
    expect(kind('syncing salesforce is not available in this build')).toBe('not_available');
    expect(kind('the hubspot integration is disconnected')).toBe('disconnected');
    expect(kind('the run stopped its worker 5 times; giving up')).toBe('worker');
    expect(kind('database: duplicate key value violates unique constraint')).toBe('storage');
    expect(kind('something nobody expected')).toBe('unknown');
  });

  it('names the provider and marks throttling', () => {
    const daily = explainSyncError('rate limit exhausted: HubSpot 429 DAILY', 'HubSpot');
    expect(daily.title).toBe('HubSpot’s daily limit on requests is used up.');
    expect(daily.throttled).toBe(true);
    const auth = explainSyncError('authentication failed: 401', 'HubSpot');
    expect(auth.title).toBe('HubSpot no longer accepts Revtops’ access.');
    expect(auth.throttled).toBe(false);
    expect(explainSyncError('???', 'Slack').title).toBe('The last sync of Slack failed.');
  });
});
