import { Menu, X } from 'lucide-react';
import { Suspense, useEffect } from 'react';
import { Outlet, useLocation } from 'react-router';
import { Dialog } from '../../components/Dialog';
import { LogoMark } from '../../components/Logo';
import { LoadingBlock } from '../../components/Skeleton';
import { cx } from '../../lib/cx';
import { useUiStore } from '../../stores/uiStore';
import { Sidebar } from './Sidebar';

/** Layout: sidebar (a drawer on phones) + the routed page. */
export function AppShell() {
  const collapsed = useUiStore((s) => s.sidebarCollapsed);
  const mobileNavOpen = useUiStore((s) => s.mobileNavOpen);
  const setMobileNavOpen = useUiStore((s) => s.setMobileNavOpen);
  const { pathname } = useLocation();
  // The chat lays out its own panes (list, transcript, composer) edge to edge.
  const fullBleed = pathname === '/chat' || pathname.startsWith('/chat/');

  useEffect(() => {
    setMobileNavOpen(false);
  }, [pathname, setMobileNavOpen]);

  return (
    <div className="flex h-full">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium focus:not-sr-only focus:absolute focus:left-2 focus:top-2">
        Skip to content
      </a>
      <aside className="hidden md:block" aria-label="Sidebar">
        <Sidebar collapsed={collapsed} />
      </aside>

      <Dialog
        open={mobileNavOpen}
        onClose={() => setMobileNavOpen(false)}
        label="Navigation"
        className="m-0 h-full max-h-full md:hidden"
      >
        <div className="relative h-full">
          <Sidebar collapsed={false} inDrawer onNavigate={() => setMobileNavOpen(false)} />
          <button
            type="button"
            aria-label="Close navigation"
            onClick={() => setMobileNavOpen(false)}
            className="on-dark absolute right-2 top-3 rounded-md p-1.5 text-slate-300 hover:bg-slate-800 hover:text-white"
          >
            <X className="size-5" aria-hidden="true" />
          </button>
        </div>
      </Dialog>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4 md:hidden">
          <button
            type="button"
            aria-label="Open navigation"
            aria-expanded={mobileNavOpen}
            className="rounded-md p-1.5 text-slate-700 hover:bg-slate-100"
            onClick={() => setMobileNavOpen(true)}
          >
            <Menu className="size-5" aria-hidden="true" />
          </button>
          <div className="flex items-center gap-2">
            <LogoMark className="size-6" />
            <span className="font-semibold">Revtops</span>
          </div>
        </header>

        <main id="main" tabIndex={-1} className={cx('min-h-0 flex-1', fullBleed ? 'overflow-hidden' : 'overflow-y-auto p-4 sm:p-6 md:p-10')}>
          <Suspense fallback={<LoadingBlock lines={5} />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
