//! Traffic weights of a progressive rollout, as Flagger computes them: out of 100, stepping by
//! `stepWeight` up to `maxWeight`, or through the `stepWeights` list.

use crate::api::flagger::CanaryAnalysis;

/// All traffic; Flagger's weights are percentages.
pub const TOTAL: i32 = 100;

/// The weight at which the canary is promoted: the last of `stepWeights` when below 100,
/// else `maxWeight` when set, else 100.
pub fn max_weight(analysis: &CanaryAnalysis) -> i32 {
    if let Some(&last) = analysis.step_weights.as_deref().and_then(<[i32]>::last)
        && last < TOTAL
    {
        return last;
    }
    match analysis.max_weight {
        Some(max) if max > 0 => max,
        _ => TOTAL,
    }
}

/// How much weight the next step moves to the canary from `canary_weight`.
pub fn next_step(analysis: &CanaryAnalysis, canary_weight: i32) -> i32 {
    let steps = analysis.step_weights.as_deref().unwrap_or_default();
    let step = analysis.step_weight.unwrap_or(0);
    if step > 0 || steps.is_empty() {
        return step;
    }
    match steps.iter().rposition(|&w| w <= canary_weight) {
        Some(i) if i + 1 >= steps.len() => TOTAL - canary_weight,
        Some(i) => steps[i + 1] - canary_weight,
        None => steps[0],
    }
}

/// The routes after one step from `(primary, canary)`, clamped to 0..=100.
pub fn step(analysis: &CanaryAnalysis, primary: i32, canary: i32) -> (i32, i32) {
    let next = next_step(analysis, canary);
    ((primary - next).max(0), (canary + next).min(TOTAL))
}

/// Why the weights of `analysis` cannot make progress, if they cannot: Flagger's CRD lets
/// such analyses through and the rollout then never advances.
pub fn invalid(analysis: &CanaryAnalysis) -> Option<String> {
    let iterations = analysis.iterations.unwrap_or(0);
    if let Some(steps) = analysis.step_weights.as_deref().filter(|s| !s.is_empty()) {
        if let Some(w) = steps.iter().find(|&&w| !(1..=TOTAL).contains(&w)) {
            return Some(format!(
                "spec.analysis.stepWeights: {w} is not a weight between 1 and 100"
            ));
        }
        if steps.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Some(format!(
                "spec.analysis.stepWeights: {steps:?} must increase step by step"
            ));
        }
    }
    if let Some(w) = analysis.step_weight
        && !(0..=TOTAL).contains(&w)
    {
        return Some(format!(
            "spec.analysis.stepWeight: {w} is not a weight between 1 and 100"
        ));
    }
    if let Some(w) = analysis.max_weight
        && !(0..=TOTAL).contains(&w)
    {
        return Some(format!(
            "spec.analysis.maxWeight: {w} is not a weight between 1 and 100"
        ));
    }
    if let Some(w) = analysis.step_weight_promotion
        && !(0..=TOTAL).contains(&w)
    {
        return Some(format!(
            "spec.analysis.stepWeightPromotion: {w} is not a weight between 1 and 100"
        ));
    }
    let stepping = analysis.step_weight.unwrap_or(0) > 0
        || analysis
            .step_weights
            .as_ref()
            .is_some_and(|s| !s.is_empty());
    if iterations < 0 {
        return Some(format!(
            "spec.analysis.iterations: {iterations} is negative; set a number of checks, or stepWeight"
        ));
    }
    if !stepping && iterations == 0 {
        return Some(
            "spec.analysis: set stepWeight or stepWeights (progressive traffic), or iterations \
             (A/B testing, blue/green)"
                .to_string(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(step: Option<i32>, steps: Option<Vec<i32>>, max: Option<i32>) -> CanaryAnalysis {
        CanaryAnalysis {
            step_weight: step,
            step_weights: steps,
            max_weight: max,
            ..Default::default()
        }
    }

    /// Walks the steps from (100, 0) until the max weight, as the scheduler does.
    fn walk(a: &CanaryAnalysis) -> Vec<i32> {
        let (mut primary, mut canary) = (TOTAL, 0);
        let mut seen = Vec::new();
        while canary < max_weight(a) {
            (primary, canary) = step(a, primary, canary);
            assert_eq!(primary + canary, TOTAL);
            seen.push(canary);
        }
        seen
    }

    #[test]
    fn step_weight_walks_to_max_weight() {
        assert_eq!(
            walk(&analysis(Some(10), None, Some(50))),
            [10, 20, 30, 40, 50]
        );
        assert_eq!(walk(&analysis(Some(30), None, Some(50))), [30, 60]);
        assert_eq!(walk(&analysis(Some(25), None, None)), [25, 50, 75, 100]);
    }

    #[test]
    fn step_weights_follow_the_list_and_end_at_its_last() {
        let a = analysis(None, Some(vec![1, 2, 10, 80]), None);
        assert_eq!(max_weight(&a), 80);
        assert_eq!(walk(&a), [1, 2, 10, 80]);
        // A list ending at 100 promotes at 100 unless maxWeight is lower.
        let a = analysis(None, Some(vec![5, 50, 100]), Some(60));
        assert_eq!(max_weight(&a), 60);
        assert_eq!(walk(&a), [5, 50, 100]);
        // Between steps (a weight set by an earlier spec) the next step lands on the list.
        assert_eq!(next_step(&analysis(None, Some(vec![10, 40]), None), 20), 20);
        // Past the last step, the rest of the traffic.
        assert_eq!(next_step(&analysis(None, Some(vec![10, 40]), None), 40), 60);
    }

    #[test]
    fn weights_that_cannot_progress_are_named() {
        let bad = [
            (analysis(None, Some(vec![10, 10]), None), "must increase"),
            (analysis(None, Some(vec![0, 10]), None), "stepWeights: 0"),
            (analysis(Some(120), None, None), "stepWeight: 120"),
            (analysis(Some(10), None, Some(-1)), "maxWeight: -1"),
            (analysis(None, None, None), "set stepWeight"),
        ];
        for (a, want) in bad {
            let got = invalid(&a).unwrap_or_default();
            assert!(got.contains(want), "{got:?} should say {want:?}");
        }
        assert_eq!(invalid(&analysis(Some(10), None, Some(50))), None);
        let blue_green = CanaryAnalysis {
            iterations: Some(3),
            ..Default::default()
        };
        assert_eq!(invalid(&blue_green), None);
    }
}
