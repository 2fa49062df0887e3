import type { StepName, TenantIdentity } from '../workflows/contract';
import type { StepContext } from './context';

/**
 * One lifecycle step: an idempotent `apply` (check, then act) with a real effect.
 * Running it again after it succeeded, or after it died half-way, changes nothing more.
 */
export interface Step {
  name: StepName;
  apply(ctx: StepContext, tenant: TenantIdentity): Promise<void>;
}
