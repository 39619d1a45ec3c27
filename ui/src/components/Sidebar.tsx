import { NavLink } from 'react-router';
import { useUiStore } from '../stores/uiStore';
import { CollapseIcon, LogoMark } from './icons';
import { NAV_ITEMS } from './navItems';

function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(' ');
}

/** Primary navigation. `collapsed` shows icons only (desktop). */
export function Sidebar({ collapsed, onNavigate }: { collapsed: boolean; onNavigate?: () => void }) {
  const toggleSidebar = useUiStore((s) => s.toggleSidebar);

  return (
    <nav
      aria-label="Primary"
      className={cx(
        'flex h-full flex-col bg-slate-900 text-slate-300 transition-[width] duration-200',
        collapsed ? 'w-16' : 'w-60',
      )}
    >
      <div className={cx('flex h-14 items-center gap-2.5 px-4', collapsed && 'justify-center px-0')}>
        <LogoMark className="size-7" />
        {!collapsed && <span className="text-lg font-semibold tracking-tight text-white">Revtops</span>}
      </div>

      <ul className="mt-2 flex flex-1 flex-col gap-1 px-2">
        {NAV_ITEMS.map(({ to, label, icon: ItemIcon, end }) => (
          <li key={to}>
            <NavLink
              to={to}
              end={end ?? false}
              onClick={onNavigate}
              title={collapsed ? label : undefined}
              className={({ isActive }) =>
                cx(
                  'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors',
                  collapsed && 'justify-center px-0',
                  isActive ? 'bg-slate-800 text-white' : 'hover:bg-slate-800/60 hover:text-white',
                )
              }
            >
              <ItemIcon />
              {!collapsed && <span>{label}</span>}
            </NavLink>
          </li>
        ))}
      </ul>

      <div className="hidden border-t border-slate-800 p-2 md:block">
        <button
          type="button"
          onClick={toggleSidebar}
          aria-label={collapsed ? 'Expand sidebar' : 'Collapse sidebar'}
          className={cx(
            'flex w-full items-center gap-3 rounded-md px-3 py-2 text-sm text-slate-400 hover:bg-slate-800/60 hover:text-white',
            collapsed && 'justify-center px-0',
          )}
        >
          <CollapseIcon className={cx('size-5 shrink-0 transition-transform', collapsed && 'rotate-180')} />
          {!collapsed && <span>Collapse</span>}
        </button>
      </div>
    </nav>
  );
}
