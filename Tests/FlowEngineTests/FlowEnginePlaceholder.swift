import Testing

@Test func placeholderFlowEngine() {}
