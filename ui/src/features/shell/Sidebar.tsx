import { PanelLeftClose } from 'lucide-react';
import { useState } from 'react';
import { NavLink } from 'react-router';
import { LogoMark } from '../../components/Logo';
import { cx } from '../../lib/cx';
import { useUiStore } from '../../stores/uiStore';
import { useMe } from '../auth/hooks';
import { NAV_ITEMS } from './navItems';
import { UserMenu } from './UserMenu';

/** The organization's logo when it has one (and it loads), else the Revtops mark. */
function HeaderMark() {
  const organization = useMe().data?.organization;
  const [broken, setBroken] = useState<string | null>(null);
  const src = organization?.logo_url;
  if (!organization || !src || src === broken) return <LogoMark className="size-7" />;
  return (
    <img
      src={src}
      alt={`${organization.name} logo`}
      onError={() => setBroken(src)}
      className="size-7 shrink-0 rounded-md bg-white object-contain"
    />
  );
}

export function Sidebar({ collapsed, onNavigate, inDrawer = false }: { collapsed: boolean; onNavigate?: () => void; inDrawer?: boolean }) {
  const toggleSidebar = useUiStore((s) => s.toggleSidebar);

  return (
    <div className={cx('on-dark flex h-full flex-col bg-slate-900 text-slate-300', collapsed ? 'w-16' : 'w-60')}>
      <div className={cx('flex h-14 shrink-0 items-center gap-2.5 px-4', collapsed && 'justify-center px-0')}>
        <HeaderMark />
        {!collapsed && <span className="text-lg font-semibold tracking-tight text-white">Revtops</span>}
      </div>

      <nav aria-label="Main" className="mt-2 flex-1 px-2">
        <ul className="flex flex-col gap-1">
          {NAV_ITEMS.map(({ to, label, icon: Icon }) => (
            <li key={to}>
              <NavLink
                to={to}
                onClick={onNavigate}
                aria-label={collapsed ? label : undefined}
                title={collapsed ? label : undefined}
                className={({ isActive }) =>
                  cx(
                    'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors',
                    collapsed && 'justify-center px-0',
                    isActive ? 'bg-slate-800 text-white' : 'hover:bg-slate-800/60 hover:text-white',
                  )
                }
              >
                <Icon className="size-5 shrink-0" aria-hidden="true" />
                {!collapsed && <span>{label}</span>}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>

      <div className="border-t border-slate-800 p-2">
        <UserMenu compact={collapsed} />
        {!inDrawer && (
          <button
            type="button"
            onClick={toggleSidebar}
            aria-label={collapsed ? 'Expand sidebar' : 'Collapse sidebar'}
            aria-expanded={!collapsed}
            className={cx(
              'mt-1 flex w-full items-center gap-3 rounded-md px-3 py-2 text-sm text-slate-300 hover:bg-slate-800/60 hover:text-white',
              collapsed && 'justify-center px-0',
            )}
          >
            <PanelLeftClose className={cx('size-5 shrink-0 transition-transform', collapsed && 'rotate-180')} aria-hidden="true" />
            {!collapsed && <span>Collapse</span>}
          </button>
        )}
      </div>
    </div>
  );
}
