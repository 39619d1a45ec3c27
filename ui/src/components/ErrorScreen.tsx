import { Brand } from './Logo';

function detailOf(error: unknown): string | null {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error && 'statusText' in error) return String((error as { statusText: unknown }).statusText);
  return null;
}

/** "Something went wrong" with a way out: reload, or go back to the chat. */
export function ErrorScreen({ error }: { error: unknown }) {
  const detail = detailOf(error);
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <Brand />
        <h1 className="mt-6 text-xl font-semibold">Something went wrong on this page</h1>
        <p className="mt-2 text-sm text-slate-700">
          Reloading usually fixes it. Your unsent questions are kept in this browser.
        </p>
        <div className="mt-6 flex flex-wrap gap-3">
          <button
            type="button"
            onClick={() => window.location.reload()}
            className="rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700"
          >
            Reload the page
          </button>
          <a href="/chat" className="rounded-md px-3.5 py-2 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
            Go to chat
          </a>
        </div>
        {detail && (
          <details className="mt-6 text-xs text-slate-600">
            <summary className="cursor-pointer">Technical details</summary>
            <p className="mt-2 break-words font-mono">{detail}</p>
          </details>
        )}
      </div>
    </main>
  );
}
