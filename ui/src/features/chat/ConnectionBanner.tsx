import { WifiOff } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useConnectionState } from './useChatSession';

/** Quiet on short blips: shows only after the connection has been down for `delayMs`. */
export function ConnectionBanner({ delayMs = 2000 }: { delayMs?: number }) {
  const state = useConnectionState();
  const down = state === 'connecting' || state === 'reconnecting';
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (!down) {
      setShow(false);
      return;
    }
    const timer = setTimeout(() => setShow(true), delayMs);
    return () => clearTimeout(timer);
  }, [down, delayMs]);
  return (
    <div role="status" className={show ? 'border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-sm text-amber-900' : 'sr-only'}>
      {show && (
        <span className="flex items-center gap-2">
          <WifiOff className="size-4" aria-hidden="true" />
          Reconnecting… Messages you send now go out when the connection is back.
        </span>
      )}
    </div>
  );
}
