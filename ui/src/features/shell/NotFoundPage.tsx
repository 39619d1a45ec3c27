import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <section className="mx-auto max-w-3xl py-10 text-center">
      <p className="text-sm font-semibold text-brand-700">Page not found</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">There is nothing at this address</h1>
      <p className="mt-2 text-slate-700">The link may be old, or the page may have moved.</p>
      <Link to="/chat" className="mt-6 inline-block rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Go to chat
      </Link>
    </section>
  );
}
