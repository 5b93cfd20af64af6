//! Reading a plan's tasks into a list sized for them from the start: the derived reader
//! grows it one doubling at a time (JSON says nothing of an array's length), and at
//! 10,000 tasks each doubling copied megabytes into fresh memory the kernel zeroes first.
//! [`parse_plan`](super::store::parse_plan) gives the expected count, from the text's size.
use std::cell::Cell;
use std::fmt;

use serde::Deserializer;
use serde::de::{SeqAccess, Visitor};

use super::model::Task;

thread_local! {
    /// Room for the next tasks list read on this thread; 0 for none.
    static EXPECTED: Cell<usize> = const { Cell::new(0) };
}

/// Runs `read` with room made for `tasks` tasks in the first tasks list it reads.
pub(crate) fn with_room<R>(tasks: usize, read: impl FnOnce() -> R) -> R {
    let old = EXPECTED.replace(tasks);
    let value = read();
    EXPECTED.set(old);
    value
}

/// `Plan::tasks` as serde reads a `Vec<Task>` (same errors), in a list with the room made
/// by [`with_room`].
pub(super) fn tasks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Task>, D::Error> {
    struct Tasks;
    impl<'de> Visitor<'de> for Tasks {
        type Value = Vec<Task>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Task>, A::Error> {
            let room = EXPECTED.take().max(seq.size_hint().unwrap_or(0).min(4096));
            let mut tasks = Vec::with_capacity(room);
            while let Some(task) = seq.next_element()? {
                tasks.push(task);
            }
            Ok(tasks)
        }
    }
    d.deserialize_seq(Tasks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    fn plan_text(tasks: usize) -> String {
        let mut plan = Plan::default();
        for n in 1..=tasks {
            plan.tasks.push(Task::new(format!("{n:03}"), "t", jiff::Timestamp::UNIX_EPOCH));
        }
        serde_json::to_string_pretty(&plan).unwrap()
    }

    #[test]
    fn the_tasks_are_read_into_the_room_made_for_them_once() {
        let text = plan_text(3);
        let plan: Plan = with_room(1000, || serde_json::from_str(&text)).unwrap();
        assert_eq!(plan.tasks.len(), 3);
        assert!(plan.tasks.capacity() >= 1000);
        // Taken by the first list: a second read makes no room of its own.
        let again: Plan = serde_json::from_str(&text).unwrap();
        assert!(again.tasks.capacity() < 1000);
        assert_eq!(again, plan);
    }

    #[test]
    fn errors_read_as_the_derived_readers_do() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code, reason = "only its errors are compared")]
        struct Derived {
            tasks: Vec<Task>,
        }
        for bad in [r#"{"version":1,"tasks":{}}"#, r#"{"version":1,"tasks":[1]}"#] {
            let ours = serde_json::from_str::<Plan>(bad).unwrap_err().to_string();
            let derived = serde_json::from_str::<Derived>(&bad.replace(r#""version":1,"#, ""))
                .unwrap_err()
                .to_string();
            assert_eq!(ours.split(" at line").next(), derived.split(" at line").next());
        }
        let missing: Plan = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert!(missing.tasks.is_empty());
    }
}
