"""apex_documents."""
