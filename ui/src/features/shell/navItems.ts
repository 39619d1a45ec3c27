import { Code2, Database, LayoutDashboard, type LucideIcon, MessageSquare, Users } from 'lucide-react';

export interface NavItem {
  to: string;
  label: string;
  icon: LucideIcon;
}

/** Only pages that exist. */
export const NAV_ITEMS: readonly NavItem[] = [
  { to: '/chat', label: 'Chat', icon: MessageSquare },
  { to: '/dashboards', label: 'Dashboards', icon: LayoutDashboard },
  { to: '/explorer', label: 'SQL explorer', icon: Code2 },
  { to: '/sources', label: 'Data sources', icon: Database },
  { to: '/team', label: 'Team', icon: Users },
];
