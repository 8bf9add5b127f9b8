"""apex_audit."""
