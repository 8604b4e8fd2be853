//! The rules kstatus applies to every object before looking at its kind.

use serde_json::Value;

use crate::fields::{self, nested_i64, nested_str};
use crate::{ConditionType, Error, Outcome, Result, Status};

fn kind(obj: &Value) -> &str {
    obj.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn lookup(what: &'static str, e: Error) -> Error {
    Error::Lookup {
        what,
        source: Box::new(e),
    }
}

/// Deletion, generation and the standard conditions; `None` when they decide nothing.
pub(crate) fn check(obj: &Value) -> Result<Option<Outcome>> {
    let deletion = nested_str(obj, &["metadata", "deletionTimestamp"])
        .map_err(|e| lookup("metadata.deletionTimestamp", e))?;
    if deletion.is_some_and(|d| !d.is_empty()) {
        return Ok(Some(Outcome {
            status: Status::Terminating,
            message: "Resource scheduled for deletion".to_string(),
            conditions: Vec::new(),
        }));
    }

    if let Some(out) = check_generation(obj)? {
        return Ok(Some(out));
    }

    for c in fields::conditions(obj)? {
        if c.status != "True" {
            continue;
        }
        let (status, type_) = match c.type_.as_str() {
            "Reconciling" => (Status::InProgress, ConditionType::Reconciling),
            "Stalled" => (Status::Failed, ConditionType::Stalled),
            _ => continue,
        };
        return Ok(Some(Outcome::with_condition(
            status, type_, &c.reason, c.message,
        )));
    }
    Ok(None)
}

/// An observed generation that lags `metadata.generation` means the controller has not seen
/// the latest spec. Objects without either field are not judged here.
fn check_generation(obj: &Value) -> Result<Option<Outcome>> {
    let Some(generation) = nested_i64(obj, &["metadata", "generation"])
        .map_err(|e| lookup("metadata.generation", e))?
    else {
        return Ok(None);
    };
    let observed = nested_i64(obj, &["status", "observedGeneration"])
        .map_err(|e| lookup("status.observedGeneration", e))?;
    match observed {
        Some(observed) if observed != generation => {
            let message = format!(
                "{} generation is {generation}, but latest observed generation is {observed}",
                kind(obj)
            );
            Ok(Some(Outcome::in_progress(
                "LatestGenerationNotObserved",
                message,
            )))
        }
        _ => Ok(None),
    }
}

/// Both generation fields must be present (kstatus requires this of DaemonSets, whose
/// controller always sets them once it has seen the object).
pub(crate) fn check_generation_set(obj: &Value) -> Result<Option<Outcome>> {
    if nested_i64(obj, &["metadata", "generation"])
        .map_err(|e| lookup("metadata.generation", e))?
        .is_none()
    {
        let message = format!("{} metadata.generation not found", kind(obj));
        return Ok(Some(Outcome::in_progress("NoGeneration", message)));
    }
    if nested_i64(obj, &["status", "observedGeneration"])
        .map_err(|e| lookup("status.observedGeneration", e))?
        .is_none()
    {
        let message = format!("{} status.observedGeneration not found", kind(obj));
        return Ok(Some(Outcome::in_progress("NoObservedGeneration", message)));
    }
    Ok(None)
}
