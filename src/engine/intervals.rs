//! PastIntervals and the prior set (work in progress).
