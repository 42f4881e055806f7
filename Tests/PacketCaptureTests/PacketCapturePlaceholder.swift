import Testing

@Test func placeholderPacketCapture() {}
