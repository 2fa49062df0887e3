import type postgres from 'postgres';
import type { Registry } from '../db/registry/connect';
import type { SecretBox } from '../config/secret-box';
import type { FaultInjector } from './fault-injection';

/** What every step may use. Built once per worker process. */
export interface StepContext {
  registry: Registry;
  /** Superuser connection to the maintenance database of the server that hosts tenant databases. */
  tenantServer: postgres.Sql;
  tenantServerUrl: string;
  secrets: SecretBox;
  storageRoot: string;
  baseDomain: string;
  /** `http://<slug>.<base domain>[:gateway port]`, no trailing slash: what links sent to people use. */
  publicTenantUrl(slug: string): string;
  inboundEmailDomain: string;
  /** Where invitation emails are written for pickup (a local mail outbox). */
  mailOutboxDir: string;
  faults: FaultInjector;
}
