"""apex_notifications."""
