use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewRequest {
    /// What the reviewer should look at and how (e.g. "review the uncommitted changes").
    pub prompt: String,
    /// A short label for the UI ("current changes").
    pub user_facing_hint: String,
}

/// A review's result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewOutputEvent {
    /// The issues found.
    #[serde(default)]
    pub findings: Vec<ReviewFinding>,
    /// `"patch is correct"` or `"patch is incorrect"` (free text when the model strayed).
    #[serde(default)]
    pub overall_correctness: String,
    /// Why.
    #[serde(default)]
    pub overall_explanation: String,
    /// Confidence in the verdict, 0–1.
    #[serde(default)]
    pub overall_confidence_score: f64,
}

/// One issue found by a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewFinding {
    /// A short title (at most 80 characters).
    pub title: String,
    /// Markdown explanation.
    pub body: String,
    /// Confidence, 0–1.
    pub confidence_score: f64,
    /// 0 (highest) to 3.
    pub priority: i32,
    /// Where.
    pub code_location: ReviewCodeLocation,
}

/// A place in the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewCodeLocation {
    /// The file.
    pub absolute_file_path: PathBuf,
    /// The lines.
    pub line_range: ReviewLineRange,
}

/// An inclusive, 1-based line range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewLineRange {
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
}

/// Review mode ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExitedReviewModeEvent {
    /// The result; `None` when the review was interrupted.
    pub review_output: Option<ReviewOutputEvent>,
}
