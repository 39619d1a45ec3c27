/** Friendly names for the generated REST types (`schema.gen.ts`). */
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type ErrorCode = Schemas['ErrorCode'];
export type SessionView = Schemas['SessionView'];
export type UserView = Schemas['UserView'];
export type MeView = Schemas['MeView'];
export type OrganizationView = Schemas['OrganizationView'];
export type DomainLookupView = Schemas['DomainLookupView'];
export type AvailableIntegrationView = Schemas['AvailableIntegrationView'];
export type ProviderView = Schemas['ProviderView'];
export type ScopeView = Schemas['ScopeView'];
export type ConversationView = Schemas['ConversationView'];
export type ConversationDetail = Schemas['ConversationDetail'];
export type MessageView = Schemas['MessageView'];
export type RoleView = Schemas['RoleView'];

// Endpoints the snapshot does not describe yet: their shapes come from `pending.ts` for now.
// When the snapshot has them, point these at the generated schemas and delete pending.ts.
export type { DemoJob, InvitationPreview, RuntimeConfig, WorkspaceView } from './pending';
