import { Pencil } from 'lucide-react';
import { type FormEvent, type KeyboardEvent, useRef, useState } from 'react';
import { toast } from 'sonner';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { MAX_NAME_CHARS, checkName, useUpdateName } from './profileHooks';

/**
 * Your display name, edited in place: Edit, then Save or Cancel (Escape cancels too). Empty
 * clears it, and your email shows instead.
 */
export function NameEditor({ name, email }: { name: string | null | undefined; email: string | null | undefined }) {
  const update = useUpdateName();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [tried, setTried] = useState(false);
  const view = useRef<HTMLDivElement>(null);
  const saved = name ?? '';
  const checked = checkName(draft);
  // Too long shows at once; anything else once Save was tried.
  const error = checked.error && (tried || [...checked.name].length > MAX_NAME_CHARS) ? checked.error : null;

  const start = () => {
    setDraft(saved);
    setTried(false);
    update.reset();
    setEditing(true);
  };

  const stop = () => {
    setEditing(false);
    update.reset();
    // Back to where the person was (after the field is gone).
    requestAnimationFrame(() => view.current?.querySelector('button')?.focus());
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (checked.error) return;
    if (checked.name === saved) {
      stop();
      return;
    }
    update.mutate(
      { name: checked.name },
      {
        onSuccess: (me) => {
          stop();
          toast.success(me.user.name ? `Your name is now ${me.user.name}.` : 'Your name was cleared: your email address shows instead.');
        },
      },
    );
  };

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !update.isPending) {
      event.preventDefault();
      stop();
    }
  };

  if (!editing) {
    return (
      <div ref={view} className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span>{saved || <span className="text-slate-600">Not set</span>}</span>
        <Button variant="ghost" className="-my-1 px-2 py-1" aria-label="Edit name" onClick={start}>
          <Pencil className="size-3.5" aria-hidden="true" />
          Edit
        </Button>
      </div>
    );
  }

  return (
    <form onSubmit={submit} onKeyDown={onKey} aria-label="Edit your name" className="space-y-3" noValidate>
      {update.error && (
        <ErrorAlert error={update.error} overrides={{ validation_failed: `Use at most ${MAX_NAME_CHARS} printable characters.` }} />
      )}
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        autoFocus
        value={draft}
        error={error}
        hint={email ? `Leave it empty to show your email address (${email}) instead.` : 'Leave it empty to clear it.'}
        onChange={(e) => setDraft(e.target.value)}
      />
      <div className="flex gap-2">
        <Button type="submit" busy={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save'}
        </Button>
        <Button variant="secondary" disabled={update.isPending} onClick={stop}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
