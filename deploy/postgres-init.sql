-- compose.yaml only, run once when the database volume is created: the audit-service's
-- writer role with a password (APEX_AUDIT_DATABASE_URL in .env.example). `apex db migrate`
-- then limits it to INSERT and SELECT on the audit tables.
CREATE ROLE apex_audit LOGIN PASSWORD 'apex';
