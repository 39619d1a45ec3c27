/**
 * Starts what the journey needs and tears it down afterwards: the fake Anthropic server, then
 * `revtops serve` (the binary built by cargo, UI embedded) on a fresh PostgreSQL database, on free
 * loopback ports. The base URL reaches the tests through `E2E_BASE_URL`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAnthropic } from './fake-anthropic';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');

function binary(): string {
  if (process.env.REVTOPS_BIN) return process.env.REVTOPS_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target');
  return path.join(target, 'debug', 'revtops');
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
      SYNC_WORKERS: '0',
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

  return async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await fake.close();
    psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  };
}
