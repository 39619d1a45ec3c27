import { Link } from 'react-router';
import { StatusCard } from '../components/StatusCard';
import { NAV_ITEMS } from '../components/navItems';

export function HomePage() {
  const sections = NAV_ITEMS.filter((item) => item.to !== '/');

  return (
    <section className="mx-auto max-w-3xl">
      <h1 className="text-2xl font-semibold tracking-tight">Welcome to Revtops</h1>
      <p className="mt-1 text-slate-600">Your revenue copilot. The full workspace is on its way.</p>

      <div className="mt-8 grid gap-6 md:grid-cols-2">
        <StatusCard />
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="font-semibold">Jump to</h2>
          <ul className="mt-3 space-y-1">
            {sections.map(({ to, label, icon: ItemIcon }) => (
              <li key={to}>
                <Link
                  to={to}
                  className="flex items-center gap-3 rounded-md px-2 py-2 text-sm text-slate-700 hover:bg-slate-50"
                >
                  <ItemIcon className="size-5 text-slate-400" />
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
