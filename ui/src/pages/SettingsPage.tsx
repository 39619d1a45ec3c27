import { PlaceholderPanel } from '../components/PlaceholderPanel';

export function SettingsPage() {
  return (
    <PlaceholderPanel
      title="Settings"
      description="Workspace, model and account preferences."
      upcoming={['Workspace members and roles', 'Model and API key configuration', 'Notification preferences']}
    >
      <p className="mt-4 text-sm text-slate-500">
        The API reference is available at{' '}
        <a className="font-medium text-brand-600 hover:underline" href="/docs">
          /docs
        </a>
        .
      </p>
    </PlaceholderPanel>
  );
}
