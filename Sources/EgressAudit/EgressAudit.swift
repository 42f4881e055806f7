// EgressAudit
