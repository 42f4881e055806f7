import Testing

@Test func placeholderPacketWire() {}
