//! Custom health checks (`healthCheckExprs`): the kstatus status of an object decided by CEL
//! expressions, in the order of Flux's RFC 0009 (fluxcd/pkg `runtime/cel/status_evaluator.go`).

use kstatus::Status;
use serde_json::Value;

use super::{CompileError, EvalError, Expression};

/// The compiled `current`, `inProgress` and `failed` expressions of one kind.
#[derive(Debug)]
pub struct StatusExpressions {
    current: Expression,
    in_progress: Option<Expression>,
    failed: Option<Expression>,
}

/// Which expression of a health check failed to compile, by its field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct StatusCompileError {
    /// `current`, `inProgress` or `failed`.
    pub field: &'static str,
    pub error: CompileError,
}

impl StatusExpressions {
    /// Compiles the three expressions; `current` is required, the others may be absent (an
    /// empty string counts as absent, as in Flux). Expressions read the object's top-level
    /// fields as variables, so they are not checked against declared variables.
    pub fn compile(
        current: &str,
        in_progress: Option<&str>,
        failed: Option<&str>,
    ) -> Result<StatusExpressions, StatusCompileError> {
        let optional = |field: &'static str, source: Option<&str>| {
            source
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Expression::compile(s).map_err(|error| StatusCompileError { field, error })
                })
                .transpose()
        };
        Ok(StatusExpressions {
            current: Expression::compile(current).map_err(|error| StatusCompileError {
                field: "current",
                error,
            })?,
            in_progress: optional("inProgress", in_progress)?,
            failed: optional("failed", failed)?,
        })
    }

    /// The object's status: InProgress while `status.observedGeneration` lags
    /// `metadata.generation`; then the first of inProgress, failed, current that holds;
    /// InProgress when none does. An evaluation error (typically a field the object does not
    /// have yet) is returned as is: Flux reports such an object Unknown and keeps waiting.
    pub fn evaluate(&self, object: &Value) -> Result<Status, EvalError> {
        let observed = object
            .pointer("/status/observedGeneration")
            .and_then(Value::as_i64);
        let generation = object
            .pointer("/metadata/generation")
            .and_then(Value::as_i64);
        if let (Some(observed), Some(generation)) = (observed, generation)
            && observed != generation
        {
            return Ok(Status::InProgress);
        }
        let order = [
            (self.in_progress.as_ref(), Status::InProgress),
            (self.failed.as_ref(), Status::Failed),
            (Some(&self.current), Status::Current),
        ];
        for (expression, status) in order {
            if let Some(expression) = expression
                && expression.eval_bool_on_object(object)?
            {
                return Ok(status);
            }
        }
        Ok(Status::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const READY_TRUE: &str =
        "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')";
    const READY_FALSE: &str =
        "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')";
    const LAGGING: &str =
        "has(status.observedGeneration) && metadata.generation != status.observedGeneration";

    fn flags(current: bool, in_progress: bool, failed: bool) -> Value {
        json!({ "data": { "current": current, "inProgress": in_progress, "failed": failed } })
    }

    fn all_three() -> StatusExpressions {
        StatusExpressions::compile("data.current", Some("data.inProgress"), Some("data.failed"))
            .unwrap()
    }

    #[test]
    fn in_progress_then_failed_then_current() {
        let e = all_three();
        assert_eq!(e.evaluate(&flags(true, false, false)), Ok(Status::Current));
        assert_eq!(e.evaluate(&flags(true, false, true)), Ok(Status::Failed));
        assert_eq!(e.evaluate(&flags(true, true, true)), Ok(Status::InProgress));
        assert_eq!(
            e.evaluate(&flags(false, false, false)),
            Ok(Status::InProgress)
        );
    }

    #[test]
    fn a_lagging_observed_generation_is_in_progress_before_any_expression() {
        let e = StatusExpressions::compile("true", None, None).unwrap();
        let object =
            json!({ "metadata": { "generation": 2 }, "status": { "observedGeneration": 1 } });
        assert_eq!(e.evaluate(&object), Ok(Status::InProgress));
        let object =
            json!({ "metadata": { "generation": 2 }, "status": { "observedGeneration": 2 } });
        assert_eq!(e.evaluate(&object), Ok(Status::Current));
    }

    #[test]
    fn missing_fields_are_errors_naming_the_expression() {
        let e = StatusExpressions::compile(READY_TRUE, Some(LAGGING), Some(READY_FALSE)).unwrap();
        // No status at all: the inProgress expression is evaluated first and fails.
        let err = e
            .evaluate(&json!({ "metadata": { "generation": 1 } }))
            .unwrap_err();
        assert_eq!(err.expression, LAGGING);
        // A status without conditions: failed is the first to read them.
        let err = e
            .evaluate(&json!({ "metadata": { "generation": 1 }, "status": {} }))
            .unwrap_err();
        assert_eq!(err.expression, READY_FALSE);
        assert!(err.reason.contains("conditions"), "{err}");
        // Empty conditions: `all` over nothing holds, so failed wins, as in Flux.
        let object = json!({ "metadata": { "generation": 1 }, "status": { "conditions": [] } });
        assert_eq!(e.evaluate(&object), Ok(Status::Failed));
        let object = json!({
            "metadata": { "generation": 1 },
            "status": { "conditions": [{ "type": "Ready", "status": "True" }] },
        });
        assert_eq!(e.evaluate(&object), Ok(Status::Current));
    }

    #[test]
    fn compile_errors_name_the_field() {
        let err = StatusExpressions::compile("data.", None, None).unwrap_err();
        assert_eq!(err.field, "current");
        let err = StatusExpressions::compile("true", Some("data."), None).unwrap_err();
        assert_eq!(err.field, "inProgress");
        let err = StatusExpressions::compile("true", None, Some("data.")).unwrap_err();
        assert_eq!(err.field, "failed");
        assert!(
            err.to_string()
                .starts_with("failed: invalid CEL expression 'data.'"),
            "{err}"
        );
        // Empty optional expressions are absent, as in Flux.
        StatusExpressions::compile("true", Some(""), Some("")).unwrap();
    }
}
