-- Tenant login roles exist on the same server; none of them may even connect to the
-- registry. The platform's own role owns the database (or is a superuser) and keeps access.
DO $$
BEGIN
  EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
