import { beforeEach, describe, expect, it } from 'vitest';
import type { SocketLike } from '../../api/socket';
import { useSession } from '../auth/sessionStore';
import { createSessionSocket, rotatingToken } from './chatSocket';
import { useDrafts } from './draftsStore';

class Fake implements SocketLike {
  static all: Fake[] = [];
  readyState = 1;
  closedWith: number | null = null;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  readonly protocols: string[];
  constructor(protocols: string[]) {
    this.protocols = protocols;
    Fake.all.push(this);
  }
  send() {}
  close(code = 1000) {
    this.closedWith = code;
  }
}

function setup() {
  return createSessionSocket({ url: 'ws://test/ws/chat', createSocket: (_url, protocols) => new Fake(protocols) });
}

beforeEach(() => {
  Fake.all = [];
  useSession.setState({ token: 'tok-1', expiresAt: Date.now() + 3_600_000, endedNotice: false });
  useDrafts.setState({ drafts: {} });
});

describe('the session chat socket', () => {
  it('ends the session when the server says it ended, keeping drafts', () => {
    const { socket, dispose } = setup();
    useDrafts.getState().setDraft('c1', 'unsent question');
    socket.connect();
    Fake.all[0]!.onclose?.({ code: 4401 } as CloseEvent);
    expect(useSession.getState()).toMatchObject({ token: null, endedNotice: true });
    expect(useDrafts.getState().drafts).toEqual({ c1: 'unsent question' });
    dispose();
  });

  it('a password change that ends the old token mid-request continues with the new one', async () => {
    const { socket, dispose } = setup();
    socket.connect();
    let answer: (token: string) => void = () => {};
    const change = rotatingToken(async () => {
      const token = await new Promise<string>((resolve) => {
        answer = resolve;
      });
      useSession.getState().signIn(token, new Date(Date.now() + 3_600_000).toISOString());
    });
    // The server closes the old token's socket before the HTTP answer arrives.
    Fake.all[0]!.onclose?.({ code: 4401 } as CloseEvent);
    expect(useSession.getState().token).toBe('tok-1');
    answer('tok-2');
    await change;
    expect(useSession.getState()).toMatchObject({ token: 'tok-2', endedNotice: false });
    expect(Fake.all.at(-1)!.protocols).toEqual(['bearer', 'tok-2']);
    dispose();
  });

  it('a failed password change that ended the socket ends the session', async () => {
    const { socket, dispose } = setup();
    socket.connect();
    const change = rotatingToken(() => Promise.reject(new Error('offline')));
    Fake.all[0]!.onclose?.({ code: 4401 } as CloseEvent);
    await expect(change).rejects.toThrow('offline');
    expect(useSession.getState()).toMatchObject({ token: null, endedNotice: true });
    dispose();
  });

  it('keeps the session when only the access changed (4403), and asks for who the user is now', () => {
    const { socket, dispose } = setup();
    socket.connect();
    const before = useSession.getState().accessVersion;
    Fake.all[0]!.onclose?.({ code: 4403 } as CloseEvent);
    expect(useSession.getState()).toMatchObject({ token: 'tok-1', endedNotice: false, accessVersion: before + 1 });
    expect(socket.state).toBe('reconnecting');
    dispose();
  });

  it('reconnects with a refreshed token and closes on sign-out', () => {
    const { socket, dispose } = setup();
    socket.connect();
    expect(Fake.all[0]!.protocols).toEqual(['bearer', 'tok-1']);
    useSession.getState().signIn('tok-2', Date.now() + 3_600_000);
    expect(Fake.all).toHaveLength(2);
    expect(Fake.all[1]!.protocols).toEqual(['bearer', 'tok-2']);
    useSession.getState().signOut();
    expect(socket.state).toBe('closed');
    expect(Fake.all[1]!.closedWith).toBe(1000);
    dispose();
  });
});
