//! The schema of `orchestrator.research` (see [`crate::config::research`]): which keys
//! each trigger takes, and the ranges of its figures.
use super::Shape;
use super::limits::Range;

/// One week, in milliseconds.
const WEEK_MS: u64 = 7 * 24 * 3_600_000;

const COOLDOWN: Range = Range { min: 0, max: WEEK_MS, unit: "milliseconds" };
const WINDOW: Range = Range { min: 1000, max: WEEK_MS, unit: "milliseconds" };
const EVERY_TASKS: Range = Range { min: 1, max: 1000, unit: "tasks" };
const COUNT: Range = Range { min: 1, max: 1000, unit: "retries and stalls" };

const PLAIN: Shape =
    Shape::Map(&[("enabled", Shape::Bool, false), ("cooldown", Shape::Range(&COOLDOWN), false)]);

pub(super) const RESEARCH: Shape = Shape::Map(&[
    ("enabled", Shape::Bool, false),
    ("mission_start", PLAIN, false),
    ("milestone_done", PLAIN, false),
    (
        "tasks_done",
        Shape::Map(&[
            ("enabled", Shape::Bool, false),
            ("cooldown", Shape::Range(&COOLDOWN), false),
            ("every", Shape::Range(&EVERY_TASKS), false),
        ]),
        false,
    ),
    (
        "trouble",
        Shape::Map(&[
            ("enabled", Shape::Bool, false),
            ("cooldown", Shape::Range(&COOLDOWN), false),
            ("count", Shape::Range(&COUNT), false),
            ("window", Shape::Range(&WINDOW), false),
        ]),
        false,
    ),
    (
        "interval",
        Shape::Map(&[
            ("enabled", Shape::Bool, false),
            ("cooldown", Shape::Range(&COOLDOWN), false),
            ("every", Shape::Range(&WINDOW), false),
        ]),
        false,
    ),
]);
