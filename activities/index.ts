import type { StepContext } from './context';
import type { Pipeline, StepName, TenantIdentity } from '../workflows/contract';
import type { Step } from './step';
import { recordedStep } from './step-recorder';
import { recordTransition, type TransitionRecord } from './transitions';
import { ensureRegistry } from './provisioning/ensure-registry';
import { createDatabase } from './provisioning/create-database';
import { migrate } from './provisioning/migrate';
import { assignStorage } from './provisioning/assign-storage';
import { setUpRouting } from './provisioning/set-up-routing';
import { configureEmail } from './provisioning/configure-email';
import { seedDefaults } from './provisioning/seed-defaults';
import { activate } from './provisioning/activate';
import { revokeRouting } from './teardown/revoke-routing';
import { deleteStorage } from './teardown/delete-storage';
import { dropDatabase } from './teardown/drop-database';
import { removeInboundAddress } from './teardown/remove-inbound-address';
import { markDeleted } from './teardown/mark-deleted';

/** Every step module, by pipeline; the workflow decides their order (workflows/contract.ts). */
export const STEP_MODULES: Record<Pipeline, Step[]> = {
  provision: [ensureRegistry, createDatabase, migrate, assignStorage, setUpRouting, configureEmail, seedDefaults, activate],
  deprovision: [revokeRouting, deleteStorage, dropDatabase, removeInboundAddress, markDeleted],
};

export type StepActivities = Record<StepName, (tenant: TenantIdentity) => Promise<void>>;

export interface LifecycleActivities extends StepActivities {
  recordTransition(record: TransitionRecord): Promise<void>;
}

export function createActivities(ctx: StepContext): LifecycleActivities {
  const steps = Object.fromEntries(
    (Object.entries(STEP_MODULES) as [Pipeline, Step[]][]).flatMap(([pipeline, modules]) =>
      modules.map((step) => [step.name, recordedStep(ctx, pipeline, step)]),
    ),
  ) as StepActivities;
  return { ...steps, recordTransition: (record) => recordTransition(ctx, record) };
}
