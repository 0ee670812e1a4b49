//! The wire view's own network namespace; see the wirens branch.
