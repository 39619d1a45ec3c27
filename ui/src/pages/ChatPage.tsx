import { useParams } from 'react-router';
import { PlaceholderPanel } from '../components/PlaceholderPanel';

export function ChatPage() {
  const { conversationId } = useParams<{ conversationId: string }>();

  return (
    <PlaceholderPanel
      title="Chat"
      description="Ask your revenue copilot about pipeline, deals and accounts."
      upcoming={[
        'Conversation list and streaming answers over a WebSocket (/ws)',
        'Answers grounded in your connected CRM and warehouse data',
        'Turn any answer into a saved dashboard',
      ]}
    >
      {conversationId && (
        <p className="mt-4 text-sm text-slate-500">
          Conversation <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono">{conversationId}</code>
        </p>
      )}
    </PlaceholderPanel>
  );
}
