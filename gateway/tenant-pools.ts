import postgres from 'postgres';

/**
 * One small connection pool per tenant database, least recently used evicted, so that
 * thousands of tenants do not hold thousands of idle connections.
 */
export class TenantPools {
  private readonly pools = new Map<string, postgres.Sql>();

  constructor(private readonly maxPools = 100) {}

  get(tenantId: string, url: string): postgres.Sql {
    let pool = this.pools.get(tenantId);
    if (pool) {
      this.pools.delete(tenantId);
    } else {
      pool = postgres(url, { max: 2, idle_timeout: 30, connect_timeout: 5, onnotice: () => {} });
    }
    this.pools.set(tenantId, pool);
    while (this.pools.size > this.maxPools) {
      const [oldest] = this.pools.keys();
      if (oldest === undefined) break;
      this.evict(oldest);
    }
    return pool;
  }

  /** Drops the tenant's pool, e.g. once its route is gone, so it holds no session that blocks a drop. */
  evict(tenantId: string): void {
    const pool = this.pools.get(tenantId);
    if (!pool) return;
    this.pools.delete(tenantId);
    void pool.end({ timeout: 1 }).catch(() => {});
  }

  async closeAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.end({ timeout: 2 }).catch(() => {})));
  }
}
