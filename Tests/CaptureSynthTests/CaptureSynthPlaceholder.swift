import Testing

@Test func placeholderCaptureSynth() {}
