/**
 * Test-only fault injection. The production worker is always built with `noFaults`;
 * only a test or drill harness constructs a `ScriptedFaults` in its own process and hands
 * it to its worker, so there is no setting that could switch faults on in production.
 */
export type StepPhase = 'before' | 'after';

export interface FaultInjector {
  /** Runs before the step's effects: may throw a scripted fault, or wait. */
  beforeStep(step: string, slug: string): Promise<void>;
  /** Runs after the step's effects, before the step is recorded complete: may wait. */
  afterStep(step: string, slug: string): Promise<void>;
}

export const noFaults: FaultInjector = {
  async beforeStep() {},
  async afterStep() {},
};

export class InjectedFault extends Error {
  constructor(
    readonly step: string,
    readonly permanent: boolean,
  ) {
    super(`injected fault in step ${step}`);
    this.name = 'InjectedFault';
  }
}

type Action = { kind: 'fail'; permanent: boolean } | { kind: 'delay'; ms: number } | { kind: 'hold' };

interface Rule {
  step: string;
  slug?: string;
  phase: StepPhase;
  remaining: number;
  action: Action;
}

export interface HeldStep {
  step: string;
  slug: string;
  phase: StepPhase;
}

export class ScriptedFaults implements FaultInjector {
  private rules: Rule[] = [];
  private held: { step: HeldStep; release: () => void }[] = [];

  /** Called whenever a step starts waiting on a `hold` rule (a drill kills the worker then). */
  onHold: (held: HeldStep) => void = () => {};

  /** The next `times` runs of `step` fail with a transient error (Infinity: until cleared). */
  fail(step: string, opts: { times?: number; slug?: string; permanent?: boolean } = {}): void {
    this.add(step, 'before', opts, { kind: 'fail', permanent: opts.permanent ?? false });
  }

  /** The next `times` runs of `step` pause for `ms` at `phase`, so that something can happen mid-step. */
  delay(step: string, ms: number, opts: { times?: number; slug?: string; phase?: StepPhase } = {}): void {
    this.add(step, opts.phase ?? 'before', opts, { kind: 'delay', ms });
  }

  /** The next `times` runs of `step` wait at `phase` until `release` is called. */
  hold(step: string, opts: { times?: number; slug?: string; phase?: StepPhase } = {}): void {
    this.add(step, opts.phase ?? 'before', opts, { kind: 'hold' });
  }

  /** Lets every step waiting on a hold go on. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) h.release();
  }

  heldSteps(): HeldStep[] {
    return this.held.map((h) => h.step);
  }

  clear(): void {
    this.rules = [];
    this.release();
  }

  beforeStep(step: string, slug: string): Promise<void> {
    return this.apply(step, slug, 'before');
  }

  afterStep(step: string, slug: string): Promise<void> {
    return this.apply(step, slug, 'after');
  }

  private add(step: string, phase: StepPhase, opts: { times?: number; slug?: string }, action: Action): void {
    this.rules.push({ step, slug: opts.slug, phase, remaining: opts.times ?? Infinity, action });
  }

  private async apply(step: string, slug: string, phase: StepPhase): Promise<void> {
    const rule = this.rules.find((r) => r.step === step && r.phase === phase && (r.slug === undefined || r.slug === slug) && r.remaining > 0);
    if (!rule) return;
    rule.remaining -= 1;
    const { action } = rule;
    if (action.kind === 'fail') throw new InjectedFault(step, action.permanent);
    if (action.kind === 'delay') return new Promise((resolve) => setTimeout(resolve, action.ms));
    const held: HeldStep = { step, slug, phase };
    const released = new Promise<void>((resolve) => this.held.push({ step: held, release: resolve }));
    this.onHold(held);
    return released;
  }
}
