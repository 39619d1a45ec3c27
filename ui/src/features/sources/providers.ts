/**
 * What the page knows about each provider beyond what the API reports: the objects its connector
 * reads (in order), their names in plain words, and how to describe the provider.
 *
 * Whether this server can sync a provider comes from the API (`syncable` in
 * `GET /api/auth/available-integrations`). `OBJECTS` mirrors the server (`OBJECTS` in
 * src/connectors/hubspot/mod.rs), which does not expose it: it only sizes the progress bar
 * ("2 of 10 record types"). A syncable provider missing here still syncs; its bar then counts
 * the record types of its last successful run.
 */
import type { components } from '../../api/schema.gen';

export type Provider = components['schemas']['ProviderView'];

/** The objects each connector syncs, in the order it syncs them. */
export const OBJECTS: Partial<Record<Provider, readonly string[]>> = {
  hubspot: ['owners', 'pipelines', 'companies', 'contacts', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'],
};

const OBJECT_LABELS: Record<string, string> = {
  owners: 'owners',
  pipelines: 'pipeline stages',
  companies: 'companies',
  contacts: 'contacts',
  deals: 'deals',
  calls: 'calls',
  emails: 'emails',
  meetings: 'meetings',
  notes: 'notes',
  tasks: 'tasks',
};

export function objectLabel(object: string): string {
  return OBJECT_LABELS[object] ?? object.replace(/_/g, ' ');
}

const NAMES: Record<string, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  slack: 'Slack',
  google_calendar: 'Google Calendar',
};

/** The display name of a provider as the runs list spells it (`google_calendar`, …). */
export function providerName(provider: string): string {
  return NAMES[provider] ?? provider;
}

/** What each provider brings in, for the card's description. */
export const PROVIDER_BLURB: Record<Provider, string> = {
  hubspot: 'Deals, companies, contacts, owners, pipelines and sales activity from your HubSpot CRM.',
  salesforce: 'Opportunities, accounts and contacts from Salesforce.',
  slack: 'Conversations from the Slack channels your team shares with customers.',
  google_calendar: 'Meetings from each person’s own calendar.',
};
