// PacketCapture
