/** Shape of `GET /api/health`, normalised so the UI never trusts raw JSON. */

export type HealthStatus = 'ok' | 'degraded';

export interface ComponentHealth {
  status: string;
}

export interface Health {
  status: HealthStatus;
  version: string | null;
  gitRevision: string | null;
  database: ComponentHealth | null;
  cache: (ComponentHealth & { backend: string | null }) | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Returns null when the payload does not look like a health report at all. */
export function parseHealth(raw: unknown): Health | null {
  if (!isRecord(raw) || typeof raw.status !== 'string') return null;
  const database = isRecord(raw.database) ? { status: str(raw.database.status) ?? 'unknown' } : null;
  const cache = isRecord(raw.cache)
    ? { status: str(raw.cache.status) ?? 'unknown', backend: str(raw.cache.backend) }
    : null;
  return {
    status: raw.status === 'ok' ? 'ok' : 'degraded',
    version: str(raw.version),
    gitRevision: str(raw.git_revision),
    database,
    cache,
  };
}
