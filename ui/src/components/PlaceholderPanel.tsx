import type { ReactNode } from 'react';

/** Card explaining what a not-yet-built page will contain. */
export function PlaceholderPanel({
  title,
  description,
  upcoming,
  children,
}: {
  title: string;
  description: string;
  upcoming: readonly string[];
  children?: ReactNode;
}) {
  return (
    <section className="mx-auto max-w-3xl">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-1 text-slate-600">{description}</p>
      <div className="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-6">
        <p className="text-xs font-semibold tracking-wide text-brand-600 uppercase">Coming soon</p>
        <ul className="mt-3 list-disc space-y-1.5 pl-5 text-sm text-slate-700">
          {upcoming.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
        {children}
      </div>
    </section>
  );
}
