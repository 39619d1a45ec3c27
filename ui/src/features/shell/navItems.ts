import { Database, type LucideIcon, MessageSquare } from 'lucide-react';

export interface NavItem {
  to: string;
  label: string;
  icon: LucideIcon;
}

/** Only pages that exist. */
export const NAV_ITEMS: readonly NavItem[] = [
  { to: '/chat', label: 'Chat', icon: MessageSquare },
  { to: '/sources', label: 'Data sources', icon: Database },
];
