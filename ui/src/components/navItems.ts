import type { ComponentType, SVGProps } from 'react';
import { ChatIcon, DashboardIcon, HomeIcon, SettingsIcon, SourcesIcon } from './icons';

export interface NavItem {
  to: string;
  label: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  end?: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { to: '/', label: 'Overview', icon: HomeIcon, end: true },
  { to: '/chat', label: 'Chat', icon: ChatIcon },
  { to: '/sources', label: 'Data sources', icon: SourcesIcon },
  { to: '/artifacts', label: 'Dashboards', icon: DashboardIcon },
  { to: '/settings', label: 'Settings', icon: SettingsIcon },
];
