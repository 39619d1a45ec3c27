import { PlaceholderPanel } from '../components/PlaceholderPanel';

export function SourcesPage() {
  return (
    <PlaceholderPanel
      title="Data sources"
      description="Connect the systems Revtops reads from."
      upcoming={[
        'Connect CRMs, billing and product-usage sources',
        'Sync status, last run and record counts per source',
        'Field mapping and schema preview',
      ]}
    />
  );
}
