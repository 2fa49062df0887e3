export { tenantLifecycle } from './tenant-lifecycle';
