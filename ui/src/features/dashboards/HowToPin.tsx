import { Link } from 'react-router';

/** What to do when there is nothing yet: where pins come from. */
export function HowToPin() {
  return (
    <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
      <li>
        In the{' '}
        <Link to="/chat" className="font-medium text-brand-700 underline">
          chat
        </Link>
        , open a step that ran a query and choose <strong>Pin to dashboard</strong>. Reports the assistant saved have the same button.
      </li>
      <li>
        In the{' '}
        <Link to="/explorer" className="font-medium text-brand-700 underline">
          SQL explorer
        </Link>
        , save a query, then add it here as a tile.
      </li>
    </ul>
  );
}
