//! The reachability evaluator: can A reach B on port P, and which rules allow it?
