// EgressPolicy
