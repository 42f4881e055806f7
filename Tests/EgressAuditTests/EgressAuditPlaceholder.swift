import Testing

@Test func placeholderEgressAudit() {}
