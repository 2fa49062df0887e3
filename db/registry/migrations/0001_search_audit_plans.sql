-- Substring search over names and slugs stays fast at 100,000+ tenants.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS tenants_name_trgm_idx ON tenants USING gin (lower(name) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS tenants_slug_trgm_idx ON tenants USING gin (slug gin_trgm_ops);
--> statement-breakpoint
-- The audit trail is append-only: history cannot be rewritten, even by the platform.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint
INSERT INTO plans (key, name, description, max_users, storage_quota_mb) VALUES
  ('free', 'Free', 'Up to 3 agents, community support.', 3, 1024),
  ('team', 'Team', 'Help desk, projects and knowledge base for small teams.', 25, 20480),
  ('business', 'Business', 'Automations, forms and business hours for growing teams.', 250, 204800),
  ('enterprise', 'Enterprise', 'Unlimited agents, dedicated support.', 100000, 2048000)
ON CONFLICT (key) DO NOTHING;
