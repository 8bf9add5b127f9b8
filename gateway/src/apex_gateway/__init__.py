"""apex_gateway."""
