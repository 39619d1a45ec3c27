import { CheckCircle2, Circle } from 'lucide-react';
import type { AvailableIntegrationView } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { useAvailableIntegrations } from './hooks';

const SCOPE_TEXT: Record<AvailableIntegrationView['scope'], string> = {
  organization: 'One connection for the whole organization, set up by an administrator.',
  user: 'Each person connects their own account.',
};

function ProviderRow({ item }: { item: AvailableIntegrationView }) {
  return (
    <li className="flex items-start justify-between gap-4 px-5 py-4">
      <div className="min-w-0">
        <p className="font-medium">{item.display_name}</p>
        <p className="mt-0.5 text-sm text-slate-700">{SCOPE_TEXT[item.scope]}</p>
      </div>
      {item.connected ? (
        <span className="inline-flex shrink-0 items-center gap-1.5 rounded-full bg-emerald-50 px-2.5 py-1 text-xs font-medium text-emerald-800 ring-1 ring-inset ring-emerald-200">
          <CheckCircle2 className="size-3.5" aria-hidden="true" />
          Connected
        </span>
      ) : (
        <span className="inline-flex shrink-0 items-center gap-1.5 rounded-full bg-slate-100 px-2.5 py-1 text-xs font-medium text-slate-700">
          <Circle className="size-3.5" aria-hidden="true" />
          Not connected
        </span>
      )}
    </li>
  );
}

/** The providers Revtops can read from. Connecting from here comes in the next release. */
export default function SourcesPage() {
  const integrations = useAvailableIntegrations();

  return (
    <section aria-labelledby="sources-title" className="mx-auto max-w-3xl">
      <h1 id="sources-title" className="text-2xl font-semibold tracking-tight">
        Data sources
      </h1>
      <p className="mt-1 text-slate-700">The systems Revtops can read your revenue data from.</p>

      <Alert
        tone="info"
        className="mt-6"
        title="Connecting a source from this page comes in the next release."
        detail="Until then, this list shows what Revtops supports and what is already connected."
      />

      <div className="mt-6">
        {integrations.isPending ? (
          <div className="rounded-xl border border-slate-200 bg-white p-5">
            <LoadingBlock label="Loading data sources…" lines={4} />
          </div>
        ) : integrations.isError ? (
          <ErrorAlert error={integrations.error}>
            <Button variant="secondary" className="mt-3" onClick={() => void integrations.refetch()}>
              Try again
            </Button>
          </ErrorAlert>
        ) : integrations.data.length === 0 ? (
          <p className="text-sm text-slate-700">No data sources are available on this server.</p>
        ) : (
          <ul aria-label="Supported data sources" className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
            {integrations.data.map((item) => (
              <ProviderRow key={item.provider} item={item} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
