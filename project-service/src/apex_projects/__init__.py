"""apex_projects."""
