//! The Landlock layer (the `landlock` crate, best effort across ABI versions), applied by the
//! launcher to itself just before it executes the client.
//!
//! Handled: every filesystem right of ABI 6, TCP bind and connect, signal and abstract Unix
//! socket scoping. Granted: read + execute on [`Policy::exec`], read on [`Policy::read`] (and
//! on `/proc` only when it is the run's own private `/proc`: Landlock rules are per inode, so
//! granting the host's `/proc` would expose the grader's `/proc/<pid>/environ`), read-write on
//! [`Policy::write`] and the device files, TCP connect to the run's lab port only (client labs)
//! or TCP bind on [`Policy::bind_port`] only (server labs). Nothing else: no other port, no
//! signal to a process outside the run.
//!
//! [`Policy::exec`]: super::Policy::exec
//! [`Policy::read`]: super::Policy::read
//! [`Policy::write`]: super::Policy::write

use super::paths::SYS_INFO;
use super::Policy;
use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, NetPort, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};
use std::path::PathBuf;

/// Restrict this process (and what it executes). `Ok(true)`: fully enforced; `Ok(false)`:
/// partly or not at all (an older kernel).
pub fn restrict(policy: &Policy, private_proc: bool, port: Option<u16>) -> Result<bool, String> {
    let abi = ABI::V6;
    let existing = |v: &[PathBuf]| -> Vec<PathBuf> {
        v.iter().filter(|p| p.exists()).cloned().collect::<Vec<_>>()
    };
    let mut read = existing(&policy.read);
    read.extend(SYS_INFO.iter().map(PathBuf::from).filter(|p| p.exists()));
    if private_proc {
        read.push(PathBuf::from("/proc"));
    }
    let mut rs = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.scope(Scope::from_all(abi)))
        .and_then(|r| r.create())
        .map_err(|e| e.to_string())?
        .add_rules(path_beneath_rules(
            existing(&policy.exec),
            AccessFs::from_read(abi),
        ))
        .and_then(|r| r.add_rules(path_beneath_rules(&read, AccessFs::from_read(abi))))
        .and_then(|r| {
            r.add_rules(path_beneath_rules(
                existing(&policy.write),
                AccessFs::from_all(abi),
            ))
        })
        .and_then(|r| {
            r.add_rules(path_beneath_rules(
                existing(&policy.devices),
                AccessFs::from_file(abi),
            ))
        })
        .map_err(|e| e.to_string())?;
    if let Some(port) = port {
        rs = rs
            .add_rule(NetPort::new(port, AccessNet::ConnectTcp))
            .map_err(|e| e.to_string())?;
    }
    if let Some(port) = policy.bind_port {
        rs = rs
            .add_rule(NetPort::new(port, AccessNet::BindTcp))
            .map_err(|e| e.to_string())?;
    }
    let status = rs.restrict_self().map_err(|e| e.to_string())?;
    Ok(status.ruleset == RulesetStatus::FullyEnforced)
}
