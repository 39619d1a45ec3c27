/**
 * Starts what the journeys need and tears it down afterwards: the fake Anthropic server, the fake
 * Nango and HubSpot (`cargo build --example e2e_fakes`: the Rust tests' own fakes as a process),
 * then `revtops serve` (the binary built by cargo, UI embedded) on a fresh PostgreSQL database,
 * on free loopback ports, with one sync worker. Nango's Connect UI address points at a host that
 * does not exist: the tests answer it by route interception. The base URL reaches the tests
 * through `E2E_BASE_URL`, the fakes' control API through `E2E_CONTROL_URL`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAnthropic } from './fake-anthropic';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');

const target = () => process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target');

function binary(): string {
  if (process.env.REVTOPS_BIN) return process.env.REVTOPS_BIN;
  return path.join(target(), 'debug', 'revtops');
}

/** Nango's Connect UI as the browser is told to open it; `routeConnectUi` answers it. */
export const CONNECT_UI_URL = 'http://connect.nango.e2e.test';

interface Fakes {
  nango_url: string;
  nango_secret: string;
  hubspot_url: string;
  slack_url: string;
  slack_token: string;
  control_url: string;
}

/** Starts the fakes process and reads the one JSON line with their addresses. */
function startFakes(): Promise<{ fakes: Fakes; child: ChildProcess }> {
  const bin = process.env.E2E_FAKES_BIN ?? path.join(target(), 'debug', 'examples', 'e2e_fakes');
  if (!existsSync(bin)) throw new Error(`no fakes binary at ${bin}: run \`cargo build --example e2e_fakes\` first`);
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`e2e_fakes exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolve({ fakes: JSON.parse(line!) as Fakes, child });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`revtops exited with ${child.exitCode}; see e2e/test-results/server.log`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('revtops did not become healthy within 60 s');
}

function psql(sql: string) {
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qc', sql], { stdio: 'ignore' });
}

export default async function globalSetup() {
  const bin = binary();
  if (!existsSync(bin)) throw new Error(`no revtops binary at ${bin}: run \`cargo build\` first (or set REVTOPS_BIN)`);
  const shots = path.join(here, '..', 'screenshots');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  mkdirSync(path.join(here, '..', 'test-results'), { recursive: true });

  const fake = await startFakeAnthropic(Number(process.env.E2E_DELTA_MS ?? 60));
  const { fakes, child: fakesProcess } = await startFakes();
  const port = await freePort();
  const database = `revtops_e2e_${process.pid}_${Date.now()}`;
  const log = createWriteStream(path.join(here, '..', 'test-results', 'server.log'));
  const server = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      BIND_ADDR: `127.0.0.1:${port}`,
      ANTHROPIC_API_KEY: 'e2e-fake-key',
      ANTHROPIC_BASE_URL: fake.url,
      LLM_MODEL: 'claude-e2e',
      SYNC_WORKERS: '1',
      SYNC_RETRY_BASE_MS: '100',
      SYNC_MAX_ATTEMPTS: '3',
      NANGO_HOST: fakes.nango_url,
      NANGO_SECRET_KEY: fakes.nango_secret,
      NANGO_CONNECT_URL: CONNECT_UI_URL,
      HUBSPOT_BASE_URL: fakes.hubspot_url,
      SLACK_BASE_URL: fakes.slack_url,
      // Lets admins enter provider tokens (sealed with this key) next to Nango.
      CREDENTIALS_KEY: 'e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0',
      RUST_LOG: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, server);
  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_DATABASE = database;
  process.env.E2E_CONTROL_URL = fakes.control_url;
  process.env.E2E_SLACK_TOKEN = fakes.slack_token;

  return async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await fake.close();
    fakesProcess.stdin?.end();
    fakesProcess.kill('SIGTERM');
    psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  };
}
