import { Pencil, Trash2 } from 'lucide-react';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import type { ConversationView } from '../../../api/types';
import { cx } from '../../../lib/cx';
import { describeError } from '../../../lib/errors';
import { conversationTitle, useRenameConversation } from './hooks';

const ICON_BUTTON = 'shrink-0 rounded-md p-1.5 text-slate-500 hover:bg-slate-200 hover:text-slate-900';

function RenameField({ initial, busy, onSave, onCancel }: { initial: string; busy: boolean; onSave: (title: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState(initial);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      const title = value.trim();
      if (title && title !== initial) onSave(title);
      else onCancel();
    } else if (event.key === 'Escape') {
      // Only the edit ends, not the drawer around the list.
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  };
  return (
    <input
      ref={ref}
      aria-label="Conversation title"
      value={value}
      maxLength={200}
      disabled={busy}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={onKeyDown}
      // Leaving the field cancels; while the save is under way the field is disabled, which blurs it.
      onBlur={() => !busy && onCancel()}
      className="min-w-0 flex-1 rounded-md border border-brand-500 bg-white px-2 py-1 text-sm text-slate-900"
    />
  );
}

export interface ConversationItemProps {
  conversation: ConversationView;
  active: boolean;
  onNavigate?: () => void;
  onDelete: (conversation: ConversationView) => void;
}

/** A conversation link with Rename (inline: Enter saves, Esc cancels) and Delete buttons. */
export function ConversationItem({ conversation, active, onNavigate, onDelete }: ConversationItemProps) {
  const [editing, setEditing] = useState(false);
  const rename = useRenameConversation();
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  const title = conversationTitle(conversation);

  useEffect(() => {
    if (wasEditing.current && !editing) renameButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const save = (newTitle: string) => {
    rename.mutate(
      { id: conversation.id, title: newTitle },
      {
        onSuccess: () => setEditing(false),
        onError: (error) => {
          setEditing(false);
          toast.error(`Couldn't rename the conversation. ${describeError(error).title}`);
        },
      },
    );
  };

  return (
    <li className={cx('group flex items-center gap-1 rounded-md px-1', active ? 'bg-brand-50' : 'hover:bg-slate-100')}>
      {editing ? (
        <RenameField initial={title} busy={rename.isPending} onSave={save} onCancel={() => setEditing(false)} />
      ) : (
        <Link
          to={`/chat/${conversation.id}`}
          onClick={onNavigate}
          aria-current={active ? 'page' : undefined}
          className={cx('min-w-0 flex-1 truncate rounded-md px-2 py-2 text-sm', active ? 'font-medium text-brand-700' : 'text-slate-800')}
          title={title}
        >
          {title}
        </Link>
      )}
      {!editing && (
        <>
          <button ref={renameButton} type="button" aria-label={`Rename ${title}`} title="Rename" className={ICON_BUTTON} onClick={() => setEditing(true)}>
            <Pencil className="size-3.5" aria-hidden="true" />
          </button>
          <button type="button" aria-label={`Delete ${title}`} title="Delete" className={ICON_BUTTON} onClick={() => onDelete(conversation)}>
            <Trash2 className="size-3.5" aria-hidden="true" />
          </button>
        </>
      )}
    </li>
  );
}
