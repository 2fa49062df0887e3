import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered by temporal-dev.yml (or by the operator in production) as Keyword attributes. */
export const TENANT_ID = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const TENANT_SLUG = defineSearchAttributeKey('TenantSlug', SearchAttributeType.KEYWORD);
export const TENANT_STATUS = defineSearchAttributeKey('TenantStatus', SearchAttributeType.KEYWORD);
export const TENANT_PLAN = defineSearchAttributeKey('TenantPlan', SearchAttributeType.KEYWORD);
/** The step running now, or the one that failed. */
export const TENANT_STEP = defineSearchAttributeKey('TenantStep', SearchAttributeType.KEYWORD);

export const TENANT_SEARCH_ATTRIBUTES = [TENANT_ID, TENANT_SLUG, TENANT_STATUS, TENANT_PLAN, TENANT_STEP] as const;
