/**
 * A fake chat server for component tests: the app's shared ChatSocket talks to it through fake
 * WebSockets. Tests push server frames (inside act) and read what the client sent.
 */
import { act } from '@testing-library/react';
import type { ClientFrame, ServerFrame } from '../api/protocol';
import { parseClientFrame } from '../api/protocol';
import { ChatSocket, type SocketLike } from '../api/socket';
import { setChatSocket } from '../features/chat/chatSocket';

export const READY: ServerFrame = { type: 'ready', user_id: 'u1', organization_id: 'o1' };

class FakeSocket implements SocketLike {
  readyState = 1;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  private readonly server: FakeChatServer;
  constructor(server: FakeChatServer) {
    this.server = server;
  }
  send(data: string) {
    const frame = parseClientFrame(data);
    if (frame) this.server.received.push(frame);
  }
  close() {
    this.readyState = 3;
  }
}

export class FakeChatServer {
  readonly sockets: FakeSocket[] = [];
  /** Every frame the client sent, in order (pings excluded). */
  readonly received: ClientFrame[] = [];
  readonly socket: ChatSocket;
  /** Answers `ready` to each new connection (like a healthy server). */
  online: boolean;

  constructor({ online = true } = {}) {
    this.online = online;
    let n = 0;
    this.socket = new ChatSocket({
      getToken: () => 'tok-1',
      url: 'ws://test/ws/chat',
      random: () => 0.5,
      newId: () => `cm-${++n}`,
      timeZone: () => 'Europe/Paris',
      createSocket: () => {
        const socket = new FakeSocket(this);
        this.sockets.push(socket);
        if (this.online) queueMicrotask(() => this.deliver(socket, READY));
        return socket;
      },
    });
    setChatSocket(this.socket);
  }

  private deliver(socket: FakeSocket, frame: ServerFrame) {
    socket.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }

  get current(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('the client has not connected');
    return socket;
  }

  /** Sends frames from the server to the client. */
  push(...frames: ServerFrame[]) {
    act(() => {
      for (const frame of frames) this.deliver(this.current, frame);
    });
  }

  /** The connection drops (the client will reconnect after its backoff). */
  drop() {
    act(() => {
      this.current.readyState = 3;
      this.current.onclose?.({ code: 1006 } as CloseEvent);
    });
  }

  sent<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.received.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }
}
