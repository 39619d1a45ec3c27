import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section className="mx-auto max-w-3xl text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="mt-2 text-slate-600">There is nothing at this address.</p>
      <Link to="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
        Back to overview
      </Link>
    </section>
  );
}
