import { useEffect } from 'react';
import { Outlet, useLocation } from 'react-router';
import { useUiStore } from '../stores/uiStore';
import { HealthBadge } from './HealthBadge';
import { LogoMark, MenuIcon } from './icons';
import { Sidebar } from './Sidebar';

/** Layout: sidebar (drawer on small screens) + header with status + routed page. */
export function AppShell() {
  const collapsed = useUiStore((s) => s.sidebarCollapsed);
  const mobileNavOpen = useUiStore((s) => s.mobileNavOpen);
  const setMobileNavOpen = useUiStore((s) => s.setMobileNavOpen);
  const { pathname } = useLocation();

  useEffect(() => {
    setMobileNavOpen(false);
  }, [pathname, setMobileNavOpen]);

  return (
    <div className="flex h-full">
      <aside className="hidden md:block">
        <Sidebar collapsed={collapsed} />
      </aside>

      {mobileNavOpen && (
        <div className="fixed inset-0 z-40 flex md:hidden">
          <button
            type="button"
            aria-label="Close navigation"
            className="absolute inset-0 bg-slate-900/50"
            onClick={() => setMobileNavOpen(false)}
          />
          <aside className="relative z-10">
            <Sidebar collapsed={false} onNavigate={() => setMobileNavOpen(false)} />
          </aside>
        </div>
      )}

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4">
          <button
            type="button"
            aria-label="Open navigation"
            className="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 md:hidden"
            onClick={() => setMobileNavOpen(true)}
          >
            <MenuIcon />
          </button>
          <div className="flex items-center gap-2 md:hidden">
            <LogoMark className="size-6" />
            <span className="font-semibold">Revtops</span>
          </div>
          <div className="ml-auto">
            <HealthBadge />
          </div>
        </header>

        <main className="flex-1 overflow-y-auto p-6 md:p-10">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
