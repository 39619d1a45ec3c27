import { PlaceholderPanel } from '../components/PlaceholderPanel';

export function ArtifactsPage() {
  return (
    <PlaceholderPanel
      title="Dashboards"
      description="Charts, tables and reports saved from your conversations."
      upcoming={[
        'Gallery of saved artifacts with live refresh',
        'Pin charts into shareable dashboards',
        'Export to CSV and images',
      ]}
    />
  );
}
