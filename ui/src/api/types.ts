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

export type DemoJob = Schemas['DemoJobView'];
export type InvitationPreview = Schemas['InvitationPreviewView'];
export type MembershipView = Schemas['MembershipView'];
export type RuntimeConfig = Schemas['ClientConfigView'];
export type WorkspaceView = Schemas['WorkspaceView'];
export type ChartSpecView = Schemas['ChartSpecView'];
export type ArtifactView = Schemas['ArtifactView'];
