/**
 * Supabase sign-in (AUTH_MODE=supabase). Loaded only with a dynamic import(), so @supabase/auth-js
 * stays out of the entry bundle and out of local-mode deployments altogether.
 */
import { GoTrueClient } from '@supabase/auth-js';

export interface SupabaseSettings {
  url: string;
  anon_key: string;
}

export interface SupabaseToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

let client: GoTrueClient | null = null;
let clientUrl = '';

function authClient(settings: SupabaseSettings): GoTrueClient {
  if (!client || clientUrl !== settings.url) {
    clientUrl = settings.url;
    client = new GoTrueClient({
      url: `${settings.url.replace(/\/+$/, '')}/auth/v1`,
      headers: { apikey: settings.anon_key, Authorization: `Bearer ${settings.anon_key}` },
      storageKey: 'revtops.supabase',
      autoRefreshToken: true,
      persistSession: true,
      detectSessionInUrl: true,
      flowType: 'pkce',
    });
  }
  return client;
}

/** Sends the browser to Google; it comes back to `redirectTo`. */
export async function startGoogleSignIn(settings: SupabaseSettings, redirectTo: string): Promise<void> {
  const { error } = await authClient(settings).signInWithOAuth({ provider: 'google', options: { redirectTo } });
  if (error) throw error;
}

function tokenOf(session: { access_token: string; expires_at?: number | undefined; expires_in?: number }): SupabaseToken {
  const expiresAt = session.expires_at ? session.expires_at * 1000 : Date.now() + (session.expires_in ?? 3600) * 1000;
  return { accessToken: session.access_token, expiresAt };
}

/** On the return page: the session auth-js took from the URL (or null when there is none). */
export async function finishSignIn(settings: SupabaseSettings): Promise<SupabaseToken | null> {
  const auth = authClient(settings);
  const { data, error } = await auth.getSession();
  if (error) throw error;
  return data.session ? tokenOf(data.session) : null;
}

/** Calls back with every refreshed token (auth-js refreshes before expiry), null on sign-out. */
export function watchTokens(settings: SupabaseSettings, onToken: (token: SupabaseToken | null) => void): () => void {
  const auth = authClient(settings);
  const { data } = auth.onAuthStateChange((event, session) => {
    if ((event === 'TOKEN_REFRESHED' || event === 'SIGNED_IN') && session) onToken(tokenOf(session));
    if (event === 'SIGNED_OUT') onToken(null);
  });
  // Refresh now if the stored session is close to expiry.
  void auth.getSession();
  return () => data.subscription.unsubscribe();
}

export async function signOutOfSupabase(settings: SupabaseSettings): Promise<void> {
  await authClient(settings).signOut({ scope: 'local' });
}
