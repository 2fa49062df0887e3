import type { StepPhase } from '../activities/fault-injection';

/**
 * What the drill harness and its worker process say to each other: the harness passes a
 * script as the worker's argument, the worker prints one line when it polls and one for
 * each step it holds, and reads `release` lines on stdin.
 */
export interface DrillWorkerScript {
  /** The workflow code, bundled once by the harness so a restart takes a second, not ten. */
  workflowBundlePath: string;
  /** Each hold stops one run of `step` for the tenant `slug` at `phase` until released or killed. */
  holds: { step: string; slug: string; phase: StepPhase }[];
}

export const READY_LINE = 'DRILL-WORKER-READY';
export const HELD_PREFIX = 'DRILL-WORKER-HELD ';
export const RELEASE_COMMAND = 'release';
