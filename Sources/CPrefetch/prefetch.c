// CPrefetch is header-only (static inline hints Swift inlines); a C target needs one source file.
#include "CPrefetch.h"
