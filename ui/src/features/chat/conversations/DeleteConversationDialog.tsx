import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { ErrorAlert } from '../../../components/Alert';

export interface DeleteConversationDialogProps {
  title: string | null;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before a conversation is deleted for good. */
export function DeleteConversationDialog({ title, busy, error, onConfirm, onClose }: DeleteConversationDialogProps) {
  return (
    <Dialog open={title !== null} onClose={onClose} label="Delete conversation" className="w-full max-w-md">
      <div className="m-4 rounded-xl bg-white p-5 shadow-xl">
        <h2 className="text-lg font-semibold text-slate-900">Delete this conversation?</h2>
        <p className="mt-2 text-sm text-slate-700">
          “{title}” and its answers will be removed for good. This cannot be undone.
        </p>
        {Boolean(error) && <ErrorAlert error={error} className="mt-3" />}
        <div className="mt-5 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={onConfirm}>
            Delete
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
