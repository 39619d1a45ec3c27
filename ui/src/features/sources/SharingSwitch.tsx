/**
 * The owner's choice for a personal calendar: until shared, its events are visible only to them
 * (chat, SQL, reports); shared, colleagues see them except events marked private. The switch
 * shows what the server stored: it moves once the server answered, and stays put on an error.
 */
import { useId } from 'react';
import { ErrorAlert } from '../../components/Alert';
import { cx } from '../../lib/cx';
import { useSetSharing } from './hooks';
import type { IntegrationView } from './runs';

export function SharingSwitch({ integration }: { integration: IntegrationView }) {
  const id = useId();
  const save = useSetSharing();
  const shared = integration.shared;
  const describedBy = `${id}-explain`;

  return (
    <div className="rounded-md border border-slate-200 p-3 text-sm">
      <label htmlFor={id} className="flex cursor-pointer items-center gap-3 font-medium">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={shared}
          aria-describedby={describedBy}
          aria-busy={save.isPending || undefined}
          disabled={save.isPending}
          onChange={(event) => save.mutate({ provider: integration.provider, shared: event.target.checked })}
          className="peer sr-only"
        />
        {/* The visible track; the input is what keyboards and screen readers use. */}
        <span
          aria-hidden="true"
          className={cx(
            'relative inline-flex h-5 w-9 shrink-0 rounded-full transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600',
            shared ? 'bg-brand-600' : 'bg-slate-300',
            save.isPending && 'opacity-60',
          )}
        >
          <span
            className={cx(
              'absolute top-0.5 size-4 rounded-full bg-white shadow transition-transform',
              shared ? 'translate-x-4' : 'translate-x-0.5',
            )}
          />
        </span>
        Share my calendar with my team
      </label>
      <p id={describedBy} className="mt-1 pl-12 text-slate-700">
        Private events stay private.{' '}
        {save.isPending
          ? 'Saving…'
          : shared
            ? 'Colleagues see your other meetings in chat, SQL and reports.'
            : 'For now, only you see your calendar’s events in chat, SQL and reports.'}
      </p>
      {save.error && (
        <ErrorAlert
          className="mt-2"
          error={save.error}
          overrides={{ not_found: 'Your calendar is no longer connected. Connect it again to share it.' }}
        />
      )}
    </div>
  );
}
