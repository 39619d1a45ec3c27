/**
 * The chat's "Pin to dashboard" button. Only this small file is part of the chat route: the
 * dialog (and the dashboard hooks it uses) load on first use, warmed when the pointer or focus
 * reaches the button.
 */
import { LayoutDashboard } from 'lucide-react';
import { Suspense, lazy, useState } from 'react';
import { Button } from '../../components/Button';
import type { PinSource } from './PinDialog';

const load = () => import('./PinDialog');
const PinDialog = lazy(load);

export function PinButton({ source }: { source: PinSource }) {
  const [mounted, setMounted] = useState(false);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="secondary"
        onPointerEnter={() => void load()}
        onFocus={() => void load()}
        onClick={() => {
          setMounted(true);
          setOpen(true);
        }}
      >
        <LayoutDashboard className="size-4" aria-hidden="true" />
        Pin to dashboard
      </Button>
      {mounted && (
        <Suspense fallback={<span role="status" className="sr-only">Opening…</span>}>
          <PinDialog open={open} onClose={() => setOpen(false)} source={source} />
        </Suspense>
      )}
    </>
  );
}
