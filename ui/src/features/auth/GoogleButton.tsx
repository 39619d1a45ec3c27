import { useState } from 'react';
import type { RuntimeConfig } from '../../api/types';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';

/** "Continue with Google" (Supabase mode). auth-js loads only when it is clicked. */
export function GoogleButton({ config, next }: { config: RuntimeConfig; next: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const settings = config.supabase;

  const start = async () => {
    if (!settings) return;
    setBusy(true);
    setError(null);
    try {
      const { startGoogleSignIn } = await import('./supabase');
      const back = new URL('/auth/callback', window.location.origin);
      back.searchParams.set('next', next);
      await startGoogleSignIn(settings, back.toString());
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  if (!settings) {
    return <ErrorAlert text={{ title: 'Google sign-in is not fully set up on this server.', detail: 'Ask your administrator to check the Supabase settings.' }} />;
  }
  return (
    <div className="space-y-3">
      {error !== null && <ErrorAlert text={{ title: "We couldn't start Google sign-in. Try again.", detail: null }} />}
      <Button variant="secondary" size="lg" className="w-full" busy={busy} onClick={() => void start()}>
        {!busy && (
          <svg viewBox="0 0 24 24" className="size-5" aria-hidden="true">
            <path fill="#4285F4" d="M23.5 12.3c0-.8-.1-1.6-.2-2.3H12v4.4h6.5a5.6 5.6 0 0 1-2.4 3.6v3h3.9c2.2-2.1 3.5-5.1 3.5-8.7Z" />
            <path fill="#34A853" d="M12 24c3.2 0 6-1.1 7.9-2.9l-3.9-3c-1.1.7-2.4 1.1-4 1.1-3.1 0-5.7-2.1-6.6-4.9H1.4v3.1A12 12 0 0 0 12 24Z" />
            <path fill="#FBBC05" d="M5.4 14.3a7.2 7.2 0 0 1 0-4.6V6.6H1.4a12 12 0 0 0 0 10.8l4-3.1Z" />
            <path fill="#EA4335" d="M12 4.8c1.8 0 3.3.6 4.6 1.8l3.4-3.4A12 12 0 0 0 1.4 6.6l4 3.1C6.3 6.9 8.9 4.8 12 4.8Z" />
          </svg>
        )}
        {busy ? 'Opening Google…' : 'Continue with Google'}
      </Button>
    </div>
  );
}
