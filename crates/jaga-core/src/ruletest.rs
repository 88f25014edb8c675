//! Runs the tests written inside rule files: every rule's `hit`/`miss` cases and the
//! verdict-level `[[test]]` tables, through the full engine (so a test also proves the
//! normaliser, `when` and `allow` do what the admin expects).

use crate::engine::{Engine, Scratch};
use crate::rules::{Location, Status};

/// One failing test, with where it was written.
#[derive(Debug, Clone)]
pub struct Failure {
    pub location: Location,
    pub message: String,
}

/// What running the tests found.
#[derive(Debug, Clone, Default)]
pub struct TestReport {
    pub passed: usize,
    pub failures: Vec<Failure>,
}

/// Runs every test of every rule that is not disabled, and every `[[test]]`.
pub fn run(engine: &Engine) -> TestReport {
    let mut report = TestReport::default();
    let mut scratch = Scratch::new();
    for rule in engine.rules() {
        if rule.status == Status::Disabled {
            continue;
        }
        for (case, want) in rule
            .tests
            .hit
            .iter()
            .map(|c| (c, true))
            .chain(rule.tests.miss.iter().map(|c| (c, false)))
        {
            let verdict = engine.evaluate(&case.to_event(), &mut scratch);
            let got = verdict.reasons.iter().any(|r| r.id == rule.id)
                || verdict.helpers.contains(&rule.id);
            if got == want {
                report.passed += 1;
            } else {
                let fired: Vec<&str> = verdict
                    .reasons
                    .iter()
                    .map(|r| r.id.as_str())
                    .chain(verdict.helpers.iter().map(String::as_str))
                    .collect();
                report.failures.push(Failure {
                    location: rule.location.clone(),
                    message: format!(
                        "rule `{}` {} on {:?} (normalised {:?}; fired: [{}])",
                        rule.id,
                        if want {
                            "should hit but missed"
                        } else {
                            "should miss but hit"
                        },
                        case.label(),
                        scratch.normalised_text(),
                        fired.join(", ")
                    ),
                });
            }
        }
    }
    for (t, location) in &engine.ruleset.tests {
        let case = crate::rules::TestCase::Event(t.case.clone());
        let verdict = engine.evaluate(&case.to_event(), &mut scratch);
        let category_ok = t
            .expect
            .as_ref()
            .is_none_or(|e| verdict.category_str() == e);
        let action_ok = t.action.is_none_or(|a| a == verdict.action);
        let at_most_ok = t
            .at_most
            .is_none_or(|m| verdict.action.severity() <= m.severity());
        if category_ok && action_ok && at_most_ok {
            report.passed += 1;
        } else {
            let fired: Vec<String> = verdict
                .reasons
                .iter()
                .map(|r| format!("{} {:.2}", r.id, r.score))
                .chain(verdict.helpers.iter().map(|h| format!("{h} 0.00")))
                .collect();
            report.failures.push(Failure {
                location: location.clone(),
                message: format!(
                    "test expects {}{}{} for {:?} but got {} -> {} (fired: [{}]){}",
                    t.expect.as_deref().unwrap_or("any category"),
                    t.action.map(|a| format!(" -> {a}")).unwrap_or_default(),
                    t.at_most
                        .map(|a| format!(", at most {a}"))
                        .unwrap_or_default(),
                    case.label(),
                    verdict.category_str(),
                    verdict.action,
                    fired.join(", "),
                    if t.note.is_empty() {
                        String::new()
                    } else {
                        format!("; note: {}", t.note)
                    }
                ),
            });
        }
    }
    report
}
