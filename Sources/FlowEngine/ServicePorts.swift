/// Which side of a flow is the service, when the capture missed the handshake.
enum ServicePorts {
    /// Ports that identify a service even above 1023: the documented Azure
    /// dependencies (SQL 1433, monitoring 1886, APIM management 3443, rate-limit
    /// sync 4290, AMQP 5671/5672, Redis 6379–6383, load balancer 6390, Cassandra
    /// 7001/7199/9042, 8443/9443, Event Grid 12000, KMS 1688) and common others.
    @inline(__always)
    static func isRegistered(_ port: UInt16) -> Bool {
        switch port {
        case 1433, 1688, 1886, 3306, 3389, 3443, 4290, 4789, 5353, 5355, 5432, 5671, 5672,
             6379, 6380, 6381, 6382, 6383, 6390, 7001, 7199, 8080, 8443, 9042, 9443, 12000, 27017:
            return true
        default:
            return false
        }
    }

    /// 2 = a service port, 1 = unremarkable, 0 = ephemeral (IANA dynamic range).
    @inline(__always)
    static func rank(_ port: UInt16) -> Int {
        if port < 1024 || isRegistered(port) { return 2 }
        return port >= 49152 ? 0 : 1
    }
}
