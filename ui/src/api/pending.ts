/**
 * TEMPORARY: endpoints the server is adding but the OpenAPI snapshot does not describe yet.
 *
 * This is the only file with hand-written REST shapes. They are written in openapi-typescript's
 * `paths` shape so `client.ts` can merge them into the generated paths; once the snapshot has
 * them, delete this file, drop `PendingPaths` from `client.ts`, and import the generated
 * component types where these names are used.
 */
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export interface RuntimeConfig {
  auth_mode: 'local' | 'supabase';
  supabase: { url: string; anon_key: string } | null;
  signup_open: boolean;
  features: { chat: boolean; integrations: boolean; demo_data: boolean };
  version: string;
}

export interface WorkspaceCounts {
  accounts: number;
  contacts: number;
  deals: number;
  activities: number;
  reps: number;
}

export interface DemoJob {
  status: 'running' | 'succeeded' | 'failed';
  step: string | null;
  steps_done: number;
  steps_total: number;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  counts: WorkspaceCounts | null;
}

export interface WorkspaceView {
  organization_id: string;
  counts: WorkspaceCounts;
  has_synced_data: boolean;
  demo_loaded: boolean;
  demo: DemoJob | null;
}

export interface InvitationPreview {
  organization_name: string;
  email: string;
  role: 'admin' | 'member';
  expires_at: string;
}

type JsonContent<T> = {
  headers: { [name: string]: unknown };
  content: { 'application/json; charset=utf-8': T };
};

interface NoParams {
  query?: never;
  header?: never;
  path?: never;
  cookie?: never;
}

type Errors = { default: JsonContent<Schemas['ErrorBody']> };

interface Unused {
  put?: never;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
}

export interface PendingPaths {
  '/config': Unused & {
    parameters: NoParams;
    post?: never;
    get: { parameters: NoParams; requestBody?: never; responses: { 200: JsonContent<RuntimeConfig> } & Errors };
  };
  '/workspace': Unused & {
    parameters: NoParams;
    post?: never;
    get: { parameters: NoParams; requestBody?: never; responses: { 200: JsonContent<WorkspaceView> } & Errors };
  };
  '/workspace/demo': Unused & {
    parameters: NoParams;
    get?: never;
    post: {
      parameters: NoParams;
      requestBody?: never;
      responses: { 202: JsonContent<DemoJob> } & Errors;
    };
  };
  '/auth/invitations/preview': Unused & {
    parameters: NoParams;
    get?: never;
    post: {
      parameters: NoParams;
      requestBody: { content: { 'application/json; charset=utf-8': { token: string } } };
      responses: { 200: JsonContent<InvitationPreview> } & Errors;
    };
  };
  /** The existing list endpoint gains an optional title search `q`. */
  '/chat/conversations': Unused & {
    parameters: NoParams;
    post?: never;
    get: {
      parameters: { query?: { q?: string }; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: JsonContent<Schemas['ConversationView'][]> } & Errors;
    };
  };
}
