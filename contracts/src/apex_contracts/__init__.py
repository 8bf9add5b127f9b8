"""apex_contracts."""
