//! PGLog (work in progress).
