"""On-call notifications and public status-post drafts."""
