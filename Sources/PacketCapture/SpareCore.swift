#if canImport(Glibc)
import Glibc
#endif

/// Whether work can run beside the reading thread: the capture readers hand
/// page mapping and unmapping to another thread, and the pipeline decodes
/// ahead on one, only when the machine has a second core to run it.
public enum SpareCore {
    public static var available: Bool { sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 }
}
