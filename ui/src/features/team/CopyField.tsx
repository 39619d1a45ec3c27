import { Check, Copy } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '../../components/Button';

/**
 * A link to pass on by hand (no email was sent): shown in full, selectable, with a Copy button.
 * When the clipboard is refused, the text is selected so Ctrl+C still works.
 */
export function CopyField({ label, value: link, copiedText = 'Link copied' }: { label: string; value: string; copiedText?: string }) {
  const id = useId();
  // The server answers a path when it does not know its public address; a link to pass on
  // needs the whole address, which is this page's origin.
  const value = new URL(link, window.location.origin).href;
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success(copiedText);
    } catch {
      input.current?.select();
      toast.error("Couldn't copy the link. It is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
    }
  };

  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="mt-1 flex gap-2">
        <input
          ref={input}
          id={id}
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          className="block min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-900"
        />
        <Button variant="secondary" onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`} className="shrink-0">
          {copied ? <Check className="size-4" aria-hidden="true" /> : <Copy className="size-4" aria-hidden="true" />}
          Copy
        </Button>
      </div>
    </div>
  );
}
