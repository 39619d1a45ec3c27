/** Placeholder until this page lands (issue 12). */
export default function TeamPage() {
  return (
    <section aria-labelledby="page-title" className="mx-auto max-w-3xl">
      <h1 id="page-title" className="text-2xl font-semibold tracking-tight">Team</h1>
    </section>
  );
}
