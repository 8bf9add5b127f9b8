"""apex_runtime."""
