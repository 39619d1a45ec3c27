import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { ShellSkeleton } from '../../components/Skeleton';
import { organizationOf, useMe } from '../auth/hooks';

/** The app proper needs an organization; without one the user goes to onboarding. */
export function RequireOrganization({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <ShellSkeleton />;
  if (me.isError) {
    return (
      <main className="mx-auto max-w-md p-6 pt-20">
        <ErrorAlert error={me.error}>
          <Button variant="secondary" className="mt-3" onClick={() => void me.refetch()}>
            Try again
          </Button>
        </ErrorAlert>
      </main>
    );
  }
  if (!organizationOf(me.data)) return <Navigate to="/onboarding" replace />;
  return <>{children}</>;
}
