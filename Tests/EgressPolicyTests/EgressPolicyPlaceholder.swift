import Testing

@Test func placeholderEgressPolicy() {}
