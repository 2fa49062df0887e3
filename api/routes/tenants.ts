import { Router, type Request } from 'express';
import type postgres from 'postgres';
import { Problem, parseOr400 } from '../problem';
import {
  createTenantSchema,
  deprovisionSchema,
  emptyActionSchema,
  listTenantsSchema,
  pageSchema,
  suspendSchema,
} from '../tenant-input';
import { auditPage, insertNewTenant, listTenants, recentAudit, requireTenant, tenantResources, tenantSteps, tenantView } from '../tenant-queries';
import { mintTenantId } from '../tenant-id';
import { tenantUsage } from '../tenant-usage';
import type { LifecycleClient } from '../lifecycle-client';
import { STEPS_OF, workflowIdOf, type TenantIdentity } from '../../workflows/contract';
import { actorOf, authorize } from '../auth/authenticate';
import { claimIdempotencyKey, idempotentRequestOf, rememberAnswer, type StoredAnswer } from '../idempotency';
import { rateLimitPerCredential, type RateLimit } from '../rate-limit';
import type { WorkflowStarter } from '../workflow-starter';

export interface TenantRoutesDeps {
  sql: postgres.Sql;
  lifecycle: LifecycleClient;
  /** Links to a tenant's workflow in the Temporal Web UI, or null when there is no UI. */
  workflowUrl(tenantId: string): string | null;
  tenantUrl(slug: string): string;
  createLimit: RateLimit;
  starter: WorkflowStarter;
}

export function tenantRoutes(deps: TenantRoutesDeps): Router {
  const { sql, lifecycle } = deps;
  const router = Router();
  const workflowOf = (tenantId: string) => ({ id: workflowIdOf(tenantId), url: deps.workflowUrl(tenantId) });

  const createLimit = rateLimitPerCredential(deps.createLimit);

  router.post('/', authorize('tenants.create'), createLimit, async (req, res) => {
    const idempotent = idempotentRequestOf(req, req.principal!.credentialId, req.body);
    const input = parseOr400(createTenantSchema, req.body ?? {});
    const tenant: TenantIdentity = { tenantId: mintTenantId(), ...input, createdBy: actorOf(req) };
    // The key's claim, the row, its first audit event, the order to start its workflow and
    // the stored answer stand or fall together. The workflow is started right after the
    // commit (api/workflow-starter.ts), so the answer does not wait for Temporal, and a
    // tenant accepted while Temporal is down is provisioned when it is back.
    const created = async (q: postgres.Sql | postgres.TransactionSql): Promise<StoredAnswer> => {
      const row = await insertNewTenant(q, tenant);
      const statusUrl = `/v1/tenants/${tenant.tenantId}`;
      const body = { tenant: tenantView(row), statusUrl, url: deps.tenantUrl(tenant.slug), workflow: workflowOf(tenant.tenantId) };
      return { status: 202, headers: { location: statusUrl }, body: JSON.stringify(body) };
    };
    let answer: StoredAnswer & { replayed: boolean };
    try {
      answer = idempotent
        ? await sql.begin(async (tx) => {
            const earlier = await claimIdempotencyKey(tx, idempotent);
            if (earlier) return { ...earlier, replayed: true };
            const fresh = await created(tx);
            await rememberAnswer(tx, idempotent, fresh, tenant.tenantId);
            return { ...fresh, replayed: false };
          })
        : { ...(await created(sql)), replayed: false };
    } catch (err) {
      const e = err as { code?: string; constraint_name?: string };
      if (e.code === '23505') {
        throw Problem.conflict(`slug ${tenant.slug} is taken`, { errors: [{ field: 'slug', reason: 'is taken' }] });
      }
      if (e.code === '23503' && e.constraint_name === 'tenants_plan_plans_key_fk') {
        const known = (await sql<{ key: string }[]>`SELECT key FROM plans ORDER BY max_users`).map((p) => p.key);
        throw Problem.validation([{ field: 'plan', reason: `unknown plan; one of ${known.join(', ')}` }]);
      }
      throw err;
    }
    if (answer.replayed) res.set('idempotent-replayed', 'true');
    else deps.starter.kick();
    res.status(answer.status).set(answer.headers).type('application/json').send(answer.body);
  });

  router.get('/', authorize('tenants.read'), async (req, res) => {
    const query = parseOr400(listTenantsSchema, req.query);
    res.json(await listTenants(sql, query));
  });

  router.get('/:idOrSlug', authorize('tenants.read'), async (req, res) => {
    const tenant = await requireTenant(sql, idOrSlugOf(req));
    const [resources, steps, audit, [plan]] = await Promise.all([
      tenantResources(sql, tenant.id),
      tenantSteps(sql, tenant.id),
      recentAudit(sql, tenant.id),
      sql<{ key: string; name: string; description: string; maxUsers: number; storageQuotaMb: number }[]>`
        SELECT key, name, description, max_users AS "maxUsers", storage_quota_mb AS "storageQuotaMb" FROM plans WHERE key = ${tenant.plan}`,
    ]);
    res.json({
      tenant: tenantView(tenant),
      plan,
      usage: plan ? await tenantUsage(sql, tenant.id, resources, plan) : null,
      url: deps.tenantUrl(tenant.slug),
      resources,
      steps,
      // Every step of each pipeline in order, so a client can show the ones not yet run.
      pipelines: STEPS_OF,
      audit,
      workflow: workflowOf(tenant.id),
    });
  });

  router.get('/:idOrSlug/audit', authorize('tenants.read'), async (req, res) => {
    const tenant = await requireTenant(sql, idOrSlugOf(req));
    const page = parseOr400(pageSchema, req.query);
    const after = page.cursor === undefined ? undefined : Number(page.cursor);
    if (after !== undefined && !Number.isSafeInteger(after)) throw Problem.validation([{ field: 'cursor', reason: 'is not a cursor this API returned' }]);
    res.json(await auditPage(sql, tenant.id, { limit: page.limit, after }));
  });

  router.get('/:idOrSlug/history', authorize('tenants.read'), async (req, res) => {
    const tenant = await requireTenant(sql, idOrSlugOf(req));
    const steps = await tenantSteps(sql, tenant.id);
    res.json({
      tenant: tenantView(tenant),
      workflow: workflowOf(tenant.id),
      provisioning: steps.filter((s) => s.pipeline === 'provision'),
      deprovisioning: steps.filter((s) => s.pipeline === 'deprovision'),
    });
  });

  /** A deleted tenant's workflow has ended; refuse here rather than ask it. */
  const requireOperable = async (idOrSlug: string) => {
    const tenant = await requireTenant(sql, idOrSlug);
    if (tenant.status === 'deleted') throw Problem.conflict('the tenant is deleted', { currentStatus: 'deleted' });
    return tenant;
  };
  const answer = async (tenantId: string) => ({ tenant: tenantView(await requireTenant(sql, tenantId)) });

  router.post('/:idOrSlug/suspend', authorize('tenants.operate'), async (req, res) => {
    const tenant = await requireOperable(idOrSlugOf(req));
    const body = parseOr400(suspendSchema, req.body ?? {});
    await lifecycle.suspend(tenant, { actor: actorOf(req), reason: body.reason });
    res.json(await answer(tenant.id));
  });

  router.post('/:idOrSlug/resume', authorize('tenants.operate'), async (req, res) => {
    const tenant = await requireOperable(idOrSlugOf(req));
    parseOr400(emptyActionSchema, req.body ?? {});
    await lifecycle.resume(tenant, { actor: actorOf(req) });
    res.json(await answer(tenant.id));
  });

  router.post('/:idOrSlug/retry', authorize('tenants.operate'), async (req, res) => {
    const tenant = await requireOperable(idOrSlugOf(req));
    parseOr400(emptyActionSchema, req.body ?? {});
    await lifecycle.retry(tenant, { actor: actorOf(req) });
    res.status(202).json(await answer(tenant.id));
  });

  router.post('/:idOrSlug/deprovision', authorize('tenants.deprovision'), async (req, res) => {
    const tenant = await requireOperable(idOrSlugOf(req));
    const body = parseOr400(deprovisionSchema, req.body ?? {});
    if (body.confirmSlug !== tenant.slug) {
      throw Problem.validation([{ field: 'confirmSlug', reason: 'does not match the tenant slug; type the slug of the tenant to de-provision' }]);
    }
    await lifecycle.deprovision(tenant, { actor: actorOf(req), confirmSlug: body.confirmSlug, reason: body.reason });
    res.status(202).json(await answer(tenant.id));
  });

  return router;
}

function idOrSlugOf(req: Request): string {
  return String(req.params.idOrSlug);
}
