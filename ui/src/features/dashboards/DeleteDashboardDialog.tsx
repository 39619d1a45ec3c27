import { useEffect } from 'react';
import { toast } from 'sonner';
import { useMe } from '../auth/hooks';
import { ConfirmDialog } from '../sources/ConfirmDialog';
import { type DashboardSummary, useDeleteDashboard } from './hooks';

export const DELETE_ERRORS = {
  forbidden: 'Only the person who made this dashboard, or an admin, can delete it.',
  not_found: "We couldn't find this dashboard. Someone may have deleted it already.",
};

/**
 * Asks before a dashboard is deleted, saying what stays: the saved reports on it (they can be
 * pinned again elsewhere). Deleting is for its creator or an admin; the server has the last word.
 */
export function DeleteDashboardDialog({
  dashboard,
  onClose,
  onDeleted,
}: {
  dashboard: Pick<DashboardSummary, 'id' | 'title' | 'created_by'> | null;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const remove = useDeleteDashboard();
  const { reset } = remove;
  const { data: me } = useMe();
  useEffect(() => reset(), [dashboard, reset]);
  const title = dashboard?.title ?? '';
  const organization = me?.organization?.name ?? 'your organization';
  const mayNotDelete = Boolean(dashboard && me && me.user.role !== 'admin' && dashboard.created_by !== me.user.id);

  const confirm = () => {
    if (!dashboard) return;
    remove.mutate(dashboard.id, {
      onSuccess: () => {
        toast.success(`“${title}” was deleted.`);
        onClose();
        setTimeout(() => onDeleted?.(), 0);
      },
    });
  };

  return (
    <ConfirmDialog
      open={dashboard !== null}
      label={`Delete ${title}`}
      title={`Delete “${title}”?`}
      confirmText="Delete dashboard"
      busyText="Deleting…"
      busy={remove.isPending}
      error={remove.error}
      errorOverrides={DELETE_ERRORS}
      onConfirm={confirm}
      onClose={onClose}
    >
      <p>The dashboard and the way its tiles are laid out go, for everyone in {organization}.</p>
      <p>The saved reports on it stay: you can still open them from the chat and pin them to another dashboard.</p>
      {mayNotDelete && <p className="font-medium text-slate-800">You did not make this dashboard: only its creator or an admin can delete it.</p>}
    </ConfirmDialog>
  );
}
