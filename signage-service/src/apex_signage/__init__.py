"""apex_signage."""
