//! Runs every case of the krusty corpus (kustomize's own end-to-end tests, see
//! `tests/corpus/README.md`) through the engine, prints the pass count and the failures, and
//! asserts that the cases this step of the engine supports all pass.

use std::path::{Path, PathBuf};

use kustomize::{BuildOptions, LoadRestrictor, Reorder, Root};
use serde_json::Value;

/// Cases that must pass. This list grows as the engine grows (transformers, patches,
/// generators ...); a case leaves it only with a written reason. Everything else still runs
/// and is reported, so regressions and new passes both show up in the output.
const MUST_PASS: &[&str] = &[
    "TestAddNamePrefixWithNamespace",
    "TestBackReferenceAdmissionPolicy",
    "TestBase",
    "TestBaseMustHaveKustomizationFile",
    "TestBasicDiamond",
    "TestBasicIO_1",
    "TestCLIAndKustomizationSet",
    "TestChangeKind",
    "TestChangeName",
    "TestChangeNameAndKind",
    "TestChildKustomizationSortOrder",
    "TestCrdWithContainers",
    "TestCustomOpenApiFieldDefaultVersion",
    "TestCustomOrdering",
    "TestDefaultLegacyOrdering",
    "TestEmptyList",
    "TestExtendedPatchGvkLabelSelector",
    "TestExtendedPatchGvkSelector",
    "TestExtendedPatchInlineJSON",
    "TestExtendedPatchMultiplePatchOverlapping",
    "TestExtendedPatchNameGvkLabelSelector",
    "TestExtendedPatchNameGvkSelector",
    "TestExtendedPatchNameLabelSelector",
    "TestExtendedPatchNoMatch",
    "TestExtendedPatchNoMatchMultiplePatch",
    "TestExtendedPatchWithoutTarget",
    "TestFIFOOrdering",
    "TestIntermediateNameSameNameDifferentLayer",
    "TestInvalidLegacySortOptionsWithFIFOOrder",
    "TestInvalidLegacySortOptionsWithoutOrderKey",
    "TestIssue1251_CompositeDiamond_Failure",
    "TestIssue1251_Patches_Overlayed",
    "TestIssue1251_Patches_ProdVsDev-1",
    "TestIssue1251_Patches_ProdVsDev_Failure",
    "TestIssue1281_JsonPatchAndImageTag",
    "TestIssue2896Base",
    "TestIssue2896Overlay",
    "TestIssue3489Simplified",
    "TestIssue4388",
    "TestIssue596AllowDirectoriesThatAreSubstringsOfEachOther",
    "TestJSONPatchInline",
    "TestKeepEmptyArray",
    "TestKeepOriginalGVKN",
    "TestKustomizationLabelsDoesNotCreateInvalidTemplatePaths",
    "TestKustomizationLabelsInDaemonSetTemplate",
    "TestKustomizationLabelsInDeploymentTemplate",
    "TestKustomizationLabelsInJobTemplate",
    "TestKustomizationLabelsInStatefulSetTemplate",
    "TestKustomizationLabelsInTemplateWhenLabelsIsNil",
    "TestKustomizationMetadata",
    "TestKustomizationSortOrderNotSet",
    "TestLabelTransformerConfig__includeSelectors_false__includeTemplates_false__no_transformerConfig",
    "TestListSuffix5042",
    "TestListSuffix5485",
    "TestListToIndividualResources",
    "TestLongLineBreaks",
    "TestMediumBase",
    "TestMergeEnvFrom",
    "TestMidLevelA",
    "TestMultibasesNoConflict",
    "TestMultibasesWithConflict",
    "TestMultibyteCharInConfigMap",
    "TestNameNotOveriddenForNonCoreApiVersionOnANamespaceKind",
    "TestNameReferenceAfterGvknChange",
    "TestNameReferenceAfterJsonPatch",
    "TestNullValues1",
    "TestNullValues2",
    "TestNumericCommonLabels",
    "TestPatchAddNewServicePort",
    "TestPatchNewName",
    "TestPatchNewNameAndKind",
    "TestPatchOriginalName",
    "TestPatchOriginalNameAndKind",
    "TestPatchOriginalNameAndNewKind",
    "TestPatchPortHasNoProtocol",
    "TestPatchesInOneFile-2",
    "TestPatchesInOneFile-4",
    "TestPathWithCronJobV1",
    "TestPodDisruptionBudgetMerging",
    "TestRemoveEmptyDirAddPersistentDisk",
    "TestRemoveEmptyDirWithNullFieldInSmp",
    "TestResourceHasAnchor",
    "TestResourceNotFound",
    "TestRoleBindingAcrossNamespace",
    "TestRoleBindingWhenSubjectsAcrossNamespace",
    "TestSharedPatchAllowed",
    "TestSharedPatchDisAllowed",
    "TestSimpleBase",
    "TestSmallBase",
    "TestSmallOverlay",
    "TestSmallOverlayJSONPatch",
    "TestSmpWithDifferentKeysOnDifferentPorts",
    "TestStrategicMergePatchInline",
    "TestTargetMustHaveKustomizationFile",
    "TestTargetMustHaveOnlyOneKustomizationFile",
    "TestTinyOverlay",
    "TestTransfomersImageDefaultConfig",
    "TestValidatingWebhookCombinedNamespaces",
    // configMapGenerator / secretGenerator / generatorOptions (src/generate.rs).
    "TestBaseWithGeneratorsAlone",
    "TestComplexComposition_Dev_Failure",
    "TestComplexComposition_Prod_Failure",
    "TestConfigMapGeneratingIntoSameNamespace",
    "TestDataEndsWithQuotes",
    "TestDataIsSingleQuote",
    "TestGeneratorFromProperties",
    "TestGeneratorIntVsStringNoMerge",
    "TestGeneratorIntVsStringWithMerge",
    "TestGeneratorOptionsOverlayDisableNameSuffixHash",
    "TestGeneratorOptionsWithBases",
    "TestGeneratorOverlays",
    "TestGeneratorOverlaysBinaryData",
    "TestGeneratorSimpleOverlay",
    "TestIssue3489",
    "TestMediumOverlay",
    "TestMergeAndReplaceDisableNameSuffixHashGenerators",
    "TestMergeAndReplaceGenerators",
    "TestMultiplePatchesWithOnePatchDeleteDirective__Patch_with_delete_directive_second",
    "TestNamePrefixSuffixPatch",
    "TestNameReferenceAfterJsonPatchConfigMapGenerator",
    "TestNamespacedGenerator",
    "TestNamespacedGeneratorWithOverlays",
    "TestNonCommutablePatches",
    "TestPrefixSuffix2",
    "TestSecretGenerator",
    "TestSimpleMultiplePatches",
    "TestUnrelatedNameReferenceReplacement_Issue4254_Issue3418",
    "TestVolumeRemoveEmptyDirInOverlay-1",
    "TestVolumeRemoveEmptyDirInOverlay-2",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/cases")
}

fn options(case: &Value) -> BuildOptions {
    let opts = &case["options"];
    BuildOptions {
        reorder: match opts["reorder"].as_str() {
            Some("none") => Reorder::None,
            _ => Reorder::Legacy,
        },
        load_restrictor: match opts["load_restrictor"].as_str() {
            Some("LoadRestrictionsNone") => LoadRestrictor::None,
            _ => LoadRestrictor::RootOnly,
        },
    }
}

fn check_error(case: &Value, message: &str) -> Result<(), String> {
    let mut checks: Vec<(String, String)> = Vec::new();
    if let Some(list) = case["error_checks"].as_array() {
        for c in list {
            checks.push((
                c["kind"].as_str().unwrap_or("substring").to_string(),
                c["text"].as_str().unwrap_or("").to_string(),
            ));
        }
    } else if let Some(text) = case["error"].as_str() {
        let kind = if case["error_exact"].as_bool() == Some(true) {
            "exact"
        } else {
            "substring"
        };
        checks.push((kind.to_string(), text.to_string()));
    }
    for (kind, text) in checks {
        let ok = match kind.as_str() {
            "exact" => message == text,
            "prefix" => message.starts_with(&text),
            "regex" => regex::Regex::new(&text).is_ok_and(|re| re.is_match(message)),
            _ => message.contains(&text),
        };
        if !ok {
            return Err(format!("error {message:?} fails {kind} check {text:?}"));
        }
    }
    Ok(())
}

fn run_case(dir: &Path) -> Result<(), String> {
    let case: Value = serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap())
        .map_err(|e| e.to_string())?;
    let fs = dir.join("fs");
    let build = case["build"].as_str().unwrap_or(".");
    let result = Root::new(&fs).and_then(|root| {
        kustomize::build_at(&root, Path::new(build), &options(&case))
            .map(|r| kustomize::to_yaml(&r))
    });
    match (case["expect"].as_str(), result) {
        (Some(file), Ok(actual)) => {
            let expected = std::fs::read_to_string(dir.join(file)).map_err(|e| e.to_string())?;
            if actual == expected {
                Ok(())
            } else {
                Err(format!(
                    "output differs:\n--- expected\n{expected}\n--- actual\n{actual}"
                ))
            }
        }
        (Some(_), Err(e)) => Err(format!("unexpected error: {e}")),
        (None, Ok(_)) => Err("expected an error, build succeeded".into()),
        (None, Err(e)) if case["error_stage"].as_str() == Some("output") => Err(format!(
            "expected an output-stage error, got build error: {e}"
        )),
        // An error case is not passed by refusing a feature the engine lacks.
        (None, Err(e)) if e.to_string().contains("is not supported yet") => {
            Err(format!("unsupported feature, not the expected error: {e}"))
        }
        (None, Err(e)) => check_error(&case, &e.to_string()),
    }
}

#[test]
fn krusty_corpus() {
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for name in &names {
        match run_case(&corpus().join(name)) {
            Ok(()) => passed.push(name.clone()),
            Err(why) => failed.push((name.clone(), why)),
        }
    }
    println!("krusty corpus: {}/{} cases pass", passed.len(), names.len());
    println!("passing: {}", passed.join(" "));
    for (name, why) in &failed {
        let first = why.lines().next().unwrap_or("");
        println!("FAIL {name}: {first}");
    }
    // `KUSTOMIZE_CASE=<name>` prints that case's full diff or error.
    if let Ok(name) = std::env::var("KUSTOMIZE_CASE")
        && let Some((_, why)) = failed.iter().find(|(n, _)| *n == name)
    {
        println!("{why}");
    }
    let broken: Vec<&str> = MUST_PASS
        .iter()
        .copied()
        .filter(|n| !passed.iter().any(|p| p == n))
        .collect();
    assert!(
        broken.is_empty(),
        "cases expected to pass now fail: {broken:?}"
    );
}
