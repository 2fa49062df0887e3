/**
 * Test-only fault injection. The production worker is always built with `noFaults`;
 * only a test harness constructs a `ScriptedFaults` in its own process and hands it to
 * its worker, so there is no setting that could switch faults on in production.
 */
export interface FaultInjector {
  /** Throws if a fault is scripted for this step (optionally only for one tenant slug). */
  beforeStep(step: string, slug: string): void;
}

export const noFaults: FaultInjector = { beforeStep() {} };

export class InjectedFault extends Error {
  constructor(
    readonly step: string,
    readonly permanent: boolean,
  ) {
    super(`injected fault in step ${step}`);
    this.name = 'InjectedFault';
  }
}

interface Rule {
  step: string;
  slug?: string;
  remaining: number;
  permanent: boolean;
}

export class ScriptedFaults implements FaultInjector {
  private rules: Rule[] = [];

  /** The next `times` runs of `step` fail with a transient error (Infinity: until cleared). */
  fail(step: string, opts: { times?: number; slug?: string; permanent?: boolean } = {}): void {
    this.rules.push({ step, slug: opts.slug, remaining: opts.times ?? Infinity, permanent: opts.permanent ?? false });
  }

  clear(): void {
    this.rules = [];
  }

  beforeStep(step: string, slug: string): void {
    const rule = this.rules.find((r) => r.step === step && (r.slug === undefined || r.slug === slug) && r.remaining > 0);
    if (!rule) return;
    rule.remaining -= 1;
    throw new InjectedFault(step, rule.permanent);
  }
}
