// CaptureSynth
