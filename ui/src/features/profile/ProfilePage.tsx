/** Placeholder until this page lands (issue 12). */
export default function ProfilePage() {
  return (
    <section aria-labelledby="page-title" className="mx-auto max-w-3xl">
      <h1 id="page-title" className="text-2xl font-semibold tracking-tight">Your profile</h1>
    </section>
  );
}
