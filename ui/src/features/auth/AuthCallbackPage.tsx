import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/Alert';
import { LoadingBlock } from '../../components/Skeleton';
import { AuthLayout } from './AuthLayout';
import { useConfig } from './config';
import { meQueryKey } from './hooks';
import { safeNextPath } from './nextPath';
import { useSession } from './sessionStore';

/**
 * Where Google (through Supabase) sends the browser back: auth-js reads the grant from the URL,
 * the server creates or refreshes the user (`POST /api/auth/users/sync`), and the session starts.
 */
export default function AuthCallbackPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { data: config, error: configError } = useConfig();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  const next = safeNextPath(params.get('next'));
  const providerError = params.get('error_description');

  useEffect(() => {
    if (!config || started.current || providerError) return;
    started.current = true;
    void (async () => {
      try {
        if (config.auth_mode !== 'supabase' || !config.supabase) throw new Error('Google sign-in is not enabled on this server.');
        const { finishSignIn } = await import('./supabase');
        const token = await finishSignIn(config.supabase);
        if (!token) throw new Error('Google did not confirm the sign-in. Try again.');
        const me = await unwrap(api.POST('/auth/users/sync', { headers: { Authorization: `Bearer ${token.accessToken}` } }));
        useSession.getState().signIn(token.accessToken, token.expiresAt);
        queryClient.setQueryData(meQueryKey, me);
        navigate(next, { replace: true });
      } catch (e) {
        setError(e);
      }
    })();
  }, [config, navigate, next, providerError, queryClient]);

  const failure = configError ?? error ?? (providerError ? new Error(providerError) : null);
  return (
    <AuthLayout title={failure ? 'Sign-in did not finish' : 'Signing you in…'}>
      {failure ? (
        <ErrorAlert error={failure}>
          <Link to="/sign-in" className="mt-2 inline-block font-medium underline">
            Back to sign in
          </Link>
        </ErrorAlert>
      ) : (
        <LoadingBlock label="Signing you in…" />
      )}
    </AuthLayout>
  );
}
